package jinja

import (
	"fmt"
	"sync"
	"testing"
)

// TestReleaseRecycles renders templates whose memory comes from released
// ones and checks each renders as it would from fresh memory, and that
// values a render returned survive the release of their template.
func TestReleaseRecycles(t *testing.T) {
	env := NewEnv()
	var kept []Value
	env.Globals["keep"] = Func(func(c *Call) (Value, error) {
		kept = append(kept, c.Args[0])
		v, _ := c.Kwargs.Get("k")
		kept = append(kept, v)
		return "", nil
	})
	srcs := []string{
		"{{ keep('a', k=['x', 'y']) }}{% for c in ['p', 'q'] %}{{ c }}{% if not loop.last %},{% endif %}{% endfor %}",
		"{% set n = 3 %}{{ n * 2 }} {{ 'x' ~ 'y' }}{% if n > 2 %} big{% else %} small{% endif %}",
		"plain text only",
		"{% for c in [1, 2, 3] if c > 1 %}{{ c }}{% else %}none{% endfor %}",
		"{{ keep('b', k={'z': 1}) }}{{ [1, 2, 3] | join('-') }}",
	}
	want := make([]string, len(srcs))
	for i, src := range srcs {
		tpl, err := env.Parse(fmt.Sprintf("f%d.sql", i), src)
		if err != nil {
			t.Fatal(err)
		}
		if want[i], err = tpl.Render(nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	kept = nil
	for round := 0; round < 3; round++ {
		for i, src := range srcs {
			tpl, err := env.Parse(fmt.Sprintf("f%d.sql", i), src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tpl.Render(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != want[i] {
				t.Errorf("round %d, template %d: got %q, want %q", round, i, got, want[i])
			}
			tpl.Release()
		}
	}
	if len(kept) != 12 {
		t.Fatalf("keep called %d times, want 12", len(kept)/2)
	}
	for i := 0; i < len(kept); i += 4 {
		if got := Repr(kept[i]) + Repr(kept[i+1]) + Repr(kept[i+2]) + Repr(kept[i+3]); got != "'a'['x', 'y']'b'{'z': 1}" {
			t.Errorf("kept values changed after release: %s", got)
		}
	}
}

// TestReleaseKeepsMacroTemplates checks that a template whose nodes a
// macro can reach is not recycled: its macro still works after Release.
func TestReleaseKeepsMacroTemplates(t *testing.T) {
	env := NewEnv()
	tpl, err := env.Parse("m.sql", "{% macro m(x) %}[{{ x }}]{% endmacro %}")
	if err != nil {
		t.Fatal(err)
	}
	if tpl.arena != nil {
		t.Fatal("a template defining a macro got a recyclable arena")
	}
	m := tpl.Macros()[0]
	tpl.Release()
	for i := 0; i < 3; i++ {
		other, err := env.Parse("o.sql", "{{ 'other' }} {{ 1 + 2 }}")
		if err != nil {
			t.Fatal(err)
		}
		if other.arena == nil {
			t.Fatal("a plain template got no arena")
		}
		if _, err := other.Render(nil, nil); err != nil {
			t.Fatal(err)
		}
		other.Release()
	}
	env.Globals["m"] = m
	use, err := env.Parse("u.sql", "{{ m('v') }}")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := use.Render(nil, nil); err != nil || got != "[v]" {
		t.Fatalf("macro after release: %q, %v", got, err)
	}
}

// TestReleaseConcurrent parses, renders and releases from several
// goroutines at once (run it with -race).
func TestReleaseConcurrent(t *testing.T) {
	env := NewEnv()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				src := fmt.Sprintf("{%% for c in ['a%d', 'b'] %%}{{ c }}{%% endfor %%} {{ %d + %d }}", g, i, g)
				tpl, err := env.Parse("c.sql", src)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := tpl.Render(nil, nil)
				if want := fmt.Sprintf("a%db %d", g, i+g); err != nil || got != want {
					t.Errorf("got %q, %v; want %q", got, err, want)
					return
				}
				tpl.Release()
			}
		}(g)
	}
	wg.Wait()
}
