package jinja

import (
	"strconv"
	"strings"
	"testing"
)

// TestNestedOperandsParseOnce renders expressions whose operands nest 150
// deep with an operator after each: the parser's operand fast path hands
// the operand it parsed to the full descent instead of parsing it again,
// which would take 2^150 steps here.
func TestNestedOperandsParseOnce(t *testing.T) {
	const depth = 150
	cases := []struct{ src, want string }{
		{"{{ " + strings.Repeat("(", depth) + "0" + strings.Repeat(")+1", depth) + " }}", strconv.Itoa(depth)},
		{"{{ " + strings.Repeat("[", depth) + "1" + strings.Repeat("]|length", depth) + " }}", "1"},
		{"{{ " + strings.Repeat("f(", depth) + "0" + strings.Repeat(")+1", depth) + " }}", strconv.Itoa(depth)},
	}
	env := NewEnv()
	env.Globals["f"] = Func(func(c *Call) (Value, error) { return c.Args[0], nil })
	for _, c := range cases {
		tpl, err := env.Parse("t.sql", c.src)
		if err != nil {
			t.Fatalf("parse %.40q: %v", c.src, err)
		}
		got, err := tpl.Render(nil, nil)
		if err != nil {
			t.Fatalf("render %.40q: %v", c.src, err)
		}
		if got != c.want {
			t.Errorf("%.40q = %q, want %q", c.src, got, c.want)
		}
	}
}
