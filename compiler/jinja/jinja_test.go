package jinja

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestJinjaCases runs the table of jinja_cases_test.go, whose expected
// outputs were produced by Jinja2 itself.
func TestJinjaCases(t *testing.T) {
	env := NewEnv()
	for i, c := range jinjaCases {
		t.Run(fmt.Sprintf("%s/%d", c.area, i), func(t *testing.T) {
			got, err := renderString(env, "case.sql", c.tpl)
			if err != nil {
				t.Fatalf("%q: %v", c.tpl, err)
			}
			if got != c.want {
				t.Fatalf("%q\n got  %q\n want %q", c.tpl, got, c.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		tpl       string
		line, col int
		msg       string
		hint      string // contained in FullHint; "" checks there is none
	}{
		{"{{ foo() }}", 1, 4, "'foo' is undefined", ""},
		{"{{ rnage(3) }}", 1, 4, "'rnage' is undefined", "did you mean 'range'?"},
		{"a\n  {{ x.y }}", 2, 6, "'x' is undefined", ""},
		{"{{ x|nosuch }}", 1, 6, "No filter named 'nosuch'.", ""},
		{"{{ 'a'|uper }}", 1, 8, "No filter named 'uper'.", "did you mean 'upper'?"},
		{"{{ ['a']|map('uper')|list }}", 1, 10, "No filter named 'uper'.", "did you mean 'upper'?"},
		{"{{ 1 is nosuch }}", 1, 9, "No test named 'nosuch'.", ""},
		{"{{ 'a'.nosuch() }}", 1, 8, "'str object' has no attribute 'nosuch'", ""},
		{"{{ {}.y.z }}", 1, 7, "'dict object' has no attribute 'y'", ""},
		{"x\n{% if true %}\nbody", 2, 1, "Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.", "add {% endif %} to close the 'if' opened here"},
		{"{% for x in y %}{% endif %}", 1, 20, "Encountered unknown tag 'endif'. Jinja was looking for the following tags: 'endfor' or 'else'.", "there is no open {% if %} here for it to close"},
		{"{% endfor %}", 1, 4, "Encountered unknown tag 'endfor'.", "there is no open {% for %} here for it to close"},
		{"{{ 1 + }}", 1, 8, "unexpected 'end of print statement'", "a value is missing before '}}'"},
		{"{% set x = [1, 2 + ] %}", 1, 20, "unexpected ']'", "a value is missing before ']'"},
		{"{{ a b }}", 1, 6, "expected token 'end of print statement', got 'b'", "the '{{' at line 1, column 1 holds one expression: close it with '}}' before 'b'"},
		{"x\n{% set a = 1 2 %}", 2, 14, "expected token 'end of statement block', got 'integer'", "the '{%' at line 2, column 1 holds one statement: close it with '%}' before 'integer'"},
		{"{{ 'a'", 1, 1, "unexpected end of template, expected 'end of print statement'.", "this '{{' is never closed: add '}}'"},
		{"{# open", 1, 1, "Missing end of comment tag", "end the comment with '#}'"},
		{"{% raw %}x", 1, 1, "Missing end of raw directive", "add {% endraw %}"},
		{"{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", 1, 34, "macro 'm' takes not more than 1 argument(s)", "m(a) is defined at models/m.sql:1"},
		{"{% macro m(a, c=1) %}{% endmacro %}{{ m(b=2) }}", 1, 39, "macro 'm' takes no keyword argument 'b'", "m(a, c=...) is defined at models/m.sql:1"},
		{"{% macro m() %}{{ x.y }}{% endmacro %}\n{% macro n() %}{{ m() }}{% endmacro %}\n{{ n() }}", 1, 19, "'x' is undefined", "in macro 'm', called at models/m.sql:2:19; in macro 'n', called at models/m.sql:3:4"},
		{"{% break %}", 1, 4, "'break' outside loop", ""},
		{"{{ 1 / 0 }}", 1, 6, "division by zero", ""},
		{"{{ 'a' < 1 }}", 1, 4, "'<' not supported between instances of 'str' and 'int'", ""},
		{"{{ x + 1 }}", 1, 4, "'x' is undefined", ""},
		{"{% set x.y = 1 %}", 1, 8, "cannot assign attribute on non-namespace object", ""},
		{"{% macro m() %}{{ none|nosuch }}{% endmacro %}", 1, 24, "No filter named 'nosuch'.", ""},
		{"{{ [1,2 }}", 1, 9, "unexpected '}', expected ']'", ""},
		{"{{ @ }}", 1, 4, "unexpected char '@' at 3", ""},
		{"{% frobnicate %}", 1, 4, "Encountered unknown tag 'frobnicate'.", ""},
		{"{% fro x in y %}{% endfor %}", 1, 4, "Encountered unknown tag 'fro'.", "did you mean 'for'?"},
	}
	env := NewEnv()
	for _, tt := range tests {
		t.Run(tt.tpl, func(t *testing.T) {
			_, err := renderString(env, "models/m.sql", tt.tpl)
			var je *Error
			if !errors.As(err, &je) {
				t.Fatalf("want *Error, got %T %v", err, err)
			}
			if je.File != "models/m.sql" || je.Line != tt.line || je.Col != tt.col {
				t.Errorf("position %s:%d:%d, want models/m.sql:%d:%d", je.File, je.Line, je.Col, tt.line, tt.col)
			}
			if !strings.Contains(je.Msg, tt.msg) {
				t.Errorf("message %q does not contain %q", je.Msg, tt.msg)
			}
			if want := fmt.Sprintf("models/m.sql:%d:%d: ", je.Line, je.Col); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Error() = %q, want prefix %q", err.Error(), want)
			}
			switch h := je.FullHint(); {
			case tt.hint == "" && h != "":
				t.Errorf("hint %q, want none", h)
			case !strings.Contains(h, tt.hint):
				t.Errorf("hint %q does not contain %q", h, tt.hint)
			case h != "" && !strings.HasSuffix(err.Error(), "\n  hint: "+h):
				t.Errorf("Error() = %q does not end with the hint", err.Error())
			}
		})
	}
}

// TestSoftUnknownFilter: like Jinja, an unknown filter inside an if block
// fails only when it runs.
func TestSoftUnknownFilter(t *testing.T) {
	env := NewEnv()
	tpl, err := env.Parse("m.sql", "{% if run %}{{ x|nosuch }}{% endif %}ok")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := tpl.Render(nil, nil); err != nil || out != "ok" {
		t.Fatalf("got %q, %v", out, err)
	}
	if _, err := tpl.Render(map[string]Value{"run": true}, nil); err == nil || !strings.Contains(err.Error(), "No filter named 'nosuch'.") {
		t.Fatalf("want no-filter error, got %v", err)
	}
}

type relation struct{ db, schema, name string }

func (r relation) String() string { return fmt.Sprintf("%q.%q.%q", r.db, r.schema, r.name) }

func (r relation) Getattr(name string) (Value, bool) {
	switch name {
	case "database":
		return r.db, true
	case "schema":
		return r.schema, true
	case "identifier", "name":
		return r.name, true
	}
	return nil, false
}

// dbtEnv has ref (recording its calls when refs is set), config (writing
// kwargs into the render's Data) and a failing function.
func dbtEnv(refs *[]string, mu *sync.Mutex) *Env {
	env := NewEnv()
	env.Globals["ref"] = Func(func(c *Call) (Value, error) {
		if len(c.Args) == 0 {
			return nil, errors.New("ref() takes at least one argument")
		}
		name := ToString(c.Args[len(c.Args)-1])
		if refs != nil {
			mu.Lock()
			*refs = append(*refs, name)
			mu.Unlock()
		}
		return relation{"db", "analytics", name}, nil
	})
	env.Globals["config"] = Func(func(c *Call) (Value, error) {
		cfg := c.State.Data.(*Dict)
		for i, k := range c.Kwargs.Keys() {
			cfg.Set(k, c.Kwargs.Values()[i])
		}
		return "", nil
	})
	env.Globals["raise_error"] = Func(func(c *Call) (Value, error) {
		return nil, errors.New("compilation error: " + ToString(c.Args[0]))
	})
	return env
}

func TestGoFuncsAndKwargs(t *testing.T) {
	var refs []string
	var mu sync.Mutex
	env := dbtEnv(&refs, &mu)
	src := `{{ config(materialized='table', tags=['a', 'b'], meta={'owner': 'x'}) }}
select * from {{ ref('orders') }} join {{ ref('pkg', 'customers') }}
{{ this.schema }}.{{ this.identifier }} {{ 'x' if false else ref('never') if false else 'lazy' }}`
	tpl, err := env.Parse("models/m.sql", src)
	if err != nil {
		t.Fatal(err)
	}
	cfg := NewDict()
	out, err := tpl.Render(map[string]Value{"this": relation{"db", "s", "m"}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := "\nselect * from \"db\".\"analytics\".\"orders\" join \"db\".\"analytics\".\"customers\"\ns.m lazy"
	if out != want {
		t.Errorf("got %q\nwant %q", out, want)
	}
	if got := Repr(cfg); got != "{'materialized': 'table', 'tags': ['a', 'b'], 'meta': {'owner': 'x'}}" {
		t.Errorf("config kwargs = %s", got)
	}
	if strings.Join(refs, ",") != "orders,customers" {
		t.Errorf("refs called: %v (the untaken branch must not run)", refs)
	}
}

func TestFuncErrorIsPositioned(t *testing.T) {
	env := dbtEnv(nil, nil)
	_, err := renderString(env, "m.sql", "ok\n  {{ raise_error('boom') }}")
	var je *Error
	if !errors.As(err, &je) || je.Line != 2 || je.Col != 6 || !strings.Contains(je.Msg, "compilation error: boom") {
		t.Fatalf("got %v", err)
	}
	if je.Unwrap() == nil || je.Unwrap().Error() != "compilation error: boom" {
		t.Errorf("Unwrap() = %v", je.Unwrap())
	}
}

func TestMacrosAcrossTemplates(t *testing.T) {
	env := NewEnv()
	lib, err := env.Parse("macros/lib.sql", `
{% macro cents(col, scale=2) %}round({{ col }} / 100, {{ scale }}){% endmacro %}
{% macro methods() %}{{ return(['a', 'b']) }}{% endmacro %}
{% macro uses_this() %}{{ this }}{% endmacro %}
{% macro count_methods() %}{{ return(methods() | length) }}{% endmacro %}
{% test not_null(model, column_name) %}select * from {{ model }} where {{ column_name }} is null{% endtest %}
`)
	if err != nil {
		t.Fatal(err)
	}
	macros := map[string]*Macro{}
	var names []string
	for _, m := range lib.Macros() {
		macros[m.Name] = m
		names = append(names, m.Name)
	}
	if got := strings.Join(names, ","); got != "cents,methods,uses_this,count_methods,test_not_null" {
		t.Fatalf("Macros() = %s", got)
	}
	if m := macros["cents"]; m.File != "macros/lib.sql" || m.Line != 2 || strings.Join(m.Params, ",") != "col,scale" {
		t.Errorf("cents = %+v", m)
	}
	env.Resolve = func(_ *State, n string) (Value, bool) { m, ok := macros[n]; return m, ok }
	tpl, err := env.Parse("models/m.sql", `{{ cents('amount', scale=4) }}|{% for m in methods() %}{{ m }}{% endfor %}|{{ uses_this() }}|{{ count_methods() }}|{{ test_not_null('t', column_name='id') }}`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tpl.Render(map[string]Value{"this": "the_model"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "round(amount / 100, 4)|ab|the_model|2|select * from t where id is null"; out != want {
		t.Errorf("got %q\nwant %q", out, want)
	}
}

func TestCallValueAndNewState(t *testing.T) {
	env := NewEnv()
	lib, err := env.Parse("m.sql", `{% macro greet(who, punct='!') %}hi {{ who }}{{ punct }}{% endmacro %}`)
	if err != nil {
		t.Fatal(err)
	}
	st := env.NewState(nil, nil)
	kw := NewDict()
	kw.Set("punct", "?")
	v, err := CallValue(st, lib.Macros()[0], []Value{"bob"}, kw)
	if err != nil || v != "hi bob?" {
		t.Fatalf("got %v, %v", v, err)
	}
}

func TestBlocks(t *testing.T) {
	env := NewEnv()
	tpl, err := env.Parse("snapshots/s.sql", `{% docs orders %}
The **orders** {{ table }}.
{% enddocs %}
{% snapshot orders_snapshot %}
select * from {{ source_table }}
{% endsnapshot %}
{% materialization view, adapter='postgres' %}create view {{ name }}{% endmaterialization %}
{% materialization table, default %}x{% endmaterialization %}`)
	if err != nil {
		t.Fatal(err)
	}
	bs := tpl.Blocks()
	if len(bs) != 4 {
		t.Fatalf("got %d blocks", len(bs))
	}
	if b := bs[0]; b.Kind != "docs" || b.Name != "orders" || b.Body != "\nThe **orders** {{ table }}.\n" || b.Line != 1 || b.Col != 1 || b.Sub != nil {
		t.Errorf("docs block = %+v", b)
	}
	out, err := bs[1].Sub.Render(map[string]Value{"source_table": "raw.orders"}, nil)
	if err != nil || out != "\nselect * from raw.orders\n" || bs[1].Line != 4 {
		t.Errorf("snapshot: %q %v %+v", out, err, bs[1])
	}
	if bs[2].Kwargs["adapter"] != "postgres" || bs[3].Kwargs["adapter"] != "default" {
		t.Errorf("materialization kwargs: %v %v", bs[2].Kwargs, bs[3].Kwargs)
	}
	out, err = bs[2].Sub.Render(map[string]Value{"name": "v"}, nil)
	if err != nil || out != "create view v" {
		t.Errorf("materialization: %q %v", out, err)
	}
	if whole, err := tpl.Render(nil, nil); err != nil || strings.TrimSpace(whole) != "" {
		t.Errorf("blocks must render to nothing in place: %q %v", whole, err)
	}
}

func TestNames(t *testing.T) {
	tpl, err := NewEnv().Parse("m.sql", "{% if execute %}{{ ref('a') }}{% endif %}{% set x = 1 %}{{ x }}")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tpl.Names(), ","); got != "execute,ref,x" {
		t.Errorf("Names() = %s", got)
	}
}

func TestReturnValues(t *testing.T) {
	env := NewEnv()
	lib, err := env.Parse("lib.sql", `{% macro d() %}{{ return({'a': [1, none]}) }}{% endmacro %}{% macro n() %}x{% for i in [1] %}{{ return(none) }}{% endfor %}y{% endmacro %}`)
	if err != nil {
		t.Fatal(err)
	}
	ms := map[string]*Macro{}
	for _, m := range lib.Macros() {
		ms[m.Name] = m
	}
	env.Resolve = func(_ *State, n string) (Value, bool) { m, ok := ms[n]; return m, ok }
	out, err := renderString(env, "m.sql", "{{ d() }} {{ d().a[0] }} {{ n() is none }}")
	if err != nil || out != "{'a': [1, None]} 1 True" {
		t.Fatalf("got %q %v", out, err)
	}
}

// TestConcurrentRender renders one template from many goroutines and
// parses concurrently; run with -race.
func TestConcurrentRender(t *testing.T) {
	var refs []string
	var mu sync.Mutex
	env := dbtEnv(&refs, &mu)
	tpl, err := env.Parse("m.sql", smallModel)
	if err != nil {
		t.Fatal(err)
	}
	want, err := tpl.Render(map[string]Value{"this": "t"}, NewDict())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				got, err := tpl.Render(map[string]Value{"this": "t"}, NewDict())
				if err != nil || got != want {
					t.Errorf("concurrent render differs: %v", err)
					return
				}
				p, err := env.Parse("m2.sql", smallModel)
				if err != nil {
					t.Error(err)
					return
				}
				if got, _ := p.Render(map[string]Value{"this": "t"}, NewDict()); got != want {
					t.Error("concurrently parsed template renders differently")
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestSharedShapes parses, concurrently, templates with one block
// structure (so one shared pongo2 tree) but different text and
// expressions, and renders them concurrently, each calling a macro of
// another one: every node must run its own template's pieces.
func TestSharedShapes(t *testing.T) {
	const n = 40
	env := NewEnv()
	tpls := make([]*Template, n)
	macros := make([]*Macro, n)
	src := func(i int) string {
		return fmt.Sprintf(`{%% macro m%d(x) %%}<%d:{{ x }}>{%% endmacro %%}a%d `+
			`{%% for v in [%d, %d] %%}{{ v }}{%% if loop.last %%}!{%% else %%},{%% endif %%}{%% endfor %%}`+
			`{%% set s %%}[{{ %d * 2 }}]{%% endset %%}{{ s }}{{ next(%d) }}`, i, i, i, i, i+1, i, i)
	}
	want := func(i int) string {
		j := (i + 1) % n
		return fmt.Sprintf("a%d %d,%d![%d]<%d:%d>", i, i, i+1, 2*i, j, i)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tpl, err := env.Parse(fmt.Sprintf("t%d.sql", i), src(i))
			if err != nil {
				errs <- err
				return
			}
			tpls[i], macros[i] = tpl, tpl.Macros()[0]
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if tpls[i].root != tpls[0].root {
			t.Fatalf("template %d does not share the pongo2 tree of template 0", i)
		}
	}
	env.Globals["next"] = Func(func(c *Call) (Value, error) {
		i, _ := c.Args[0].(int64)
		return macros[(int(i)+1)%n].CallJinja(&Call{Args: []Value{i}, Kwargs: NewDict(), State: c.State})
	})
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 5; k++ {
				for i := range tpls {
					got, err := tpls[(i+g)%n].Render(nil, nil)
					if w := want((i + g) % n); err != nil || got != w {
						t.Errorf("render %d: %q, %v; want %q", (i+g)%n, got, err, w)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

const smallModel = `{{ config(materialized='view') }}
{% set cols = ['a', 'b'] %}
select {% for c in cols %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
from {{ ref('x') }}`

func TestGoValuesAreUsable(t *testing.T) {
	env := NewEnv()
	vars := map[string]Value{
		"m":     map[string]any{"b": 2, "a": []string{"x"}},
		"n":     42,
		"f":     float32(1.5),
		"fn":    func(c *Call) (Value, error) { return "called", nil },
		"weird": struct{ X int }{1},
		"rels":  []relation{{"d", "s", "a"}, {"d", "s", "b"}},
	}
	tpl, err := env.Parse("m.sql", "{{ m.a[0] }} {{ m['b'] + n }} {{ f * 2 }} {{ fn() }} {{ m }} {% for k in m %}{{ k }}{% endfor %} {{ weird }} {{ rels|map(attribute='name')|join(',') }} {{ rels|length }}")
	if err != nil {
		t.Fatal(err)
	}
	out, err := tpl.Render(vars, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "x 44 3.0 called {'a': ['x'], 'b': 2} ab {1} a,b 2"; out != want {
		t.Errorf("got %q want %q", out, want)
	}
}

type namespaceObj map[string]Value

func (n namespaceObj) Getattr(name string) (Value, bool) { v, ok := n[name]; return v, ok }

func TestDbtStyleCalls(t *testing.T) {
	env := NewEnv()
	lib, err := env.Parse("macros/m.sql", `{% macro default__cast(x, t) %}cast({{ x }} as {{ t }}){% endmacro %}`)
	if err != nil {
		t.Fatal(err)
	}
	impl := lib.Macros()[0]
	env.Globals["adapter"] = namespaceObj{
		"dispatch": Func(func(c *Call) (Value, error) { return impl, nil }),
	}
	env.Globals["exceptions"] = namespaceObj{
		"raise_compiler_error": Func(func(c *Call) (Value, error) { return nil, errors.New(ToString(c.Args[0])) }),
	}
	// statement() gets the call block body through Call.Caller.
	env.Globals["statement"] = Func(func(c *Call) (Value, error) {
		body, err := CallValue(c.State, c.Caller, nil, nil)
		if err != nil {
			return nil, err
		}
		fetch, _ := c.Kwargs.Get("fetch_result")
		return fmt.Sprintf("[%s|%s|%v]", ToString(c.Args[0]), strings.TrimSpace(ToString(body)), ToString(fetch)), nil
	})
	out, err := renderString(env, "m.sql", `{{ adapter.dispatch('cast', 'pkg')('col', 'int') }}
{%- set t = 'x' %}
{% call statement('main', fetch_result=True) %}select {{ t }}{% endcall %}`)
	if err != nil {
		t.Fatal(err)
	}
	if want := "cast(col as int)\n[main|select x|True]"; out != want {
		t.Errorf("got %q want %q", out, want)
	}
	_, err = renderString(env, "m.sql", "{% if true %}\n  {{ exceptions.raise_compiler_error('bad config') }}{% endif %}")
	var je *Error
	if !errors.As(err, &je) || je.Line != 2 || je.Msg != "bad config" {
		t.Errorf("got %#v", err)
	}
}

// A Func learns where it is called, so that the caller can position
// problems it finds later (a ref() that closes a cycle, say).
func TestCallPosition(t *testing.T) {
	env := NewEnv()
	var got []string
	env.Globals["ref"] = Func(func(c *Call) (Value, error) {
		got = append(got, fmt.Sprintf("%s:%d:%d", c.State.File(), c.Line, c.Col))
		return "", nil
	})
	if _, err := renderString(env, "models/m.sql", "select\n  {{ ref('a') }}, {{ ref('b') }}"); err != nil {
		t.Fatal(err)
	}
	if want := "models/m.sql:2:6 models/m.sql:2:22"; strings.Join(got, " ") != want {
		t.Errorf("calls at %v, want %s", got, want)
	}
}
