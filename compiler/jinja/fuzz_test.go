package jinja

import (
	"strings"
	"testing"
)

// FuzzParseRender feeds arbitrary templates through Parse and Render: they
// may fail, but never panic (a recovered panic surfaces as "internal error").
func FuzzParseRender(f *testing.F) {
	for _, c := range jinjaCases {
		f.Add(c.tpl)
	}
	env := NewEnv()
	env.Globals["ref"] = Func(func(c *Call) (Value, error) { return "ref", nil })
	env.Globals["items"] = NewList(int64(1), "a", nil, NewDict())
	lib, err := env.Parse("lib.sql", `{% macro m(a, b=1) %}{{ a }}{{ b }}{{ caller() if caller is defined }}{% endmacro %}{% macro r() %}{{ return([1]) }}{% endmacro %}`)
	if err != nil {
		f.Fatal(err)
	}
	macros := map[string]*Macro{}
	for _, m := range lib.Macros() {
		macros[m.Name] = m
	}
	env.Resolve = func(_ *State, n string) (Value, bool) { m, ok := macros[n]; return m, ok }
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		tpl, err := env.Parse("fuzz.sql", src)
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("parse %q: %v", src, err)
			}
			if _, ok := err.(*Error); !ok {
				t.Fatalf("parse error is %T, want *Error", err)
			}
			return
		}
		if _, err := tpl.Render(map[string]Value{"x": int64(3)}, nil); err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("render %q: %v", src, err)
		}
	})
}
