package jinja

import (
	"fmt"
	"strings"
)

var builtinTests map[string]Test

func init() {
	builtinTests = map[string]Test{
		"defined":   func(_ *State, v Value, _ []Value) (bool, error) { _, u := v.(Undefined); return !u, nil },
		"undefined": func(_ *State, v Value, _ []Value) (bool, error) { _, u := v.(Undefined); return u, nil },
		"none":      func(_ *State, v Value, _ []Value) (bool, error) { return v == nil, nil },
		"string":    func(_ *State, v Value, _ []Value) (bool, error) { _, ok := v.(string); return ok, nil },
		"number": func(_ *State, v Value, _ []Value) (bool, error) {
			_, ok := numeric(v)
			return ok, nil
		},
		"integer": func(_ *State, v Value, _ []Value) (bool, error) {
			switch v.(type) {
			case int64, int:
				return true, nil
			}
			return false, nil
		},
		"float": func(_ *State, v Value, _ []Value) (bool, error) { _, ok := v.(float64); return ok, nil },
		"boolean": func(_ *State, v Value, _ []Value) (bool, error) {
			_, ok := v.(bool)
			return ok, nil
		},
		"true":  func(_ *State, v Value, _ []Value) (bool, error) { b, ok := v.(bool); return ok && b, nil },
		"false": func(_ *State, v Value, _ []Value) (bool, error) { b, ok := v.(bool); return ok && !b, nil },
		"mapping": func(_ *State, v Value, _ []Value) (bool, error) {
			_, ok := normalize(v).(*Dict)
			return ok, nil
		},
		"iterable": func(_ *State, v Value, _ []Value) (bool, error) {
			switch normalize(v).(type) {
			case string, *List, *Dict, Undefined, pyRange:
				return true, nil
			}
			_, ok := v.(interface{ Items() []Value })
			return ok, nil
		},
		"sequence": func(_ *State, v Value, _ []Value) (bool, error) {
			switch normalize(v).(type) {
			case string, *List, *Dict, pyRange:
				return true, nil
			}
			return false, nil
		},
		"callable": func(_ *State, v Value, _ []Value) (bool, error) {
			switch v.(type) {
			case Func, *Macro, Callable, func(*Call) (Value, error), Undefined:
				// Undefined counts: Jinja's Undefined defines __call__.
				return true, nil
			}
			return false, nil
		},
		"odd":         intTest(1),
		"even":        intTest(0),
		"divisibleby": testDivisibleBy,
		"eq":          cmpTest("=="),
		"equalto":     cmpTest("=="),
		"==":          cmpTest("=="),
		"ne":          cmpTest("!="),
		"!=":          cmpTest("!="),
		"lt":          cmpTest("<"),
		"lessthan":    cmpTest("<"),
		"<":           cmpTest("<"),
		"gt":          cmpTest(">"),
		"greaterthan": cmpTest(">"),
		">":           cmpTest(">"),
		"le":          cmpTest("<="),
		"<=":          cmpTest("<="),
		"ge":          cmpTest(">="),
		">=":          cmpTest(">="),
		"in": func(_ *State, v Value, args []Value) (bool, error) {
			if len(args) != 1 {
				return false, fmt.Errorf("test 'in' takes 1 argument")
			}
			return contains2(args[0], v)
		},
		"lower": func(_ *State, v Value, _ []Value) (bool, error) {
			s := ToString(v)
			return strings.ToLower(s) == s, nil
		},
		"upper": func(_ *State, v Value, _ []Value) (bool, error) {
			s := ToString(v)
			return strings.ToUpper(s) == s, nil
		},
		"sameas": func(_ *State, v Value, args []Value) (bool, error) {
			if len(args) != 1 {
				return false, fmt.Errorf("test 'sameas' takes 1 argument")
			}
			return sameAs(v, args[0]), nil
		},
		"escaped": func(_ *State, v Value, _ []Value) (bool, error) { return false, nil },
		"filter": func(s *State, v Value, _ []Value) (bool, error) {
			name, ok := v.(string)
			return ok && s.Env.Filters[name] != nil, nil
		},
		"test": func(s *State, v Value, _ []Value) (bool, error) {
			name, ok := v.(string)
			return ok && s.Env.Tests[name] != nil, nil
		},
	}
}

// intTest implements odd/even as Jinja does: value % 2 == want.
func intTest(want int64) Test {
	return func(_ *State, v Value, _ []Value) (bool, error) {
		r, err := binop("%", v, int64(2))
		if err != nil {
			return false, err
		}
		return equal(r, want), nil
	}
}

func testDivisibleBy(_ *State, v Value, args []Value) (bool, error) {
	if len(args) != 1 {
		return false, fmt.Errorf("test_divisibleby() missing 1 required positional argument: 'num'")
	}
	r, err := binop("%", v, args[0])
	if err != nil {
		return false, err
	}
	return equal(r, int64(0)), nil
}

func cmpTest(op string) Test {
	return func(_ *State, v Value, args []Value) (bool, error) {
		if len(args) != 1 {
			return false, fmt.Errorf("test '%s' takes 1 argument", op)
		}
		return compare(op, v, args[0])
	}
}

// sameAs is Python's `is`: identity for containers, value for singletons.
func sameAs(a, b Value) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case *List:
		y, ok := b.(*List)
		return ok && x == y
	case *Dict:
		y, ok := b.(*Dict)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y && x >= -5 && x <= 256
	case string:
		y, ok := b.(string)
		return ok && x == y
	}
	defer func() { recover() }()
	return a == b
}
