package jinja

import (
	"errors"
	"fmt"
	"strings"
)

// builtinGlobals are Jinja's default globals plus return(), which dbt
// macros use to hand back a value instead of text.
var builtinGlobals map[string]Value

func init() {
	builtinGlobals = map[string]Value{
		"range":     Func(builtinRange),
		"dict":      Func(builtinDict),
		"namespace": Func(builtinNamespace),
		"return":    Func(builtinReturn),
		"cycler":    Func(builtinCycler),
		"joiner":    Func(builtinJoiner),
	}
}

func builtinRange(c *Call) (Value, error) {
	var nums [3]int64
	for i, a := range c.Args {
		if i >= 3 {
			return nil, fmt.Errorf("range expected at most 3 arguments, got %d", len(c.Args))
		}
		n, ok := toIndex(a)
		if !ok {
			return nil, fmt.Errorf("'%s' object cannot be interpreted as an integer", typeName(a))
		}
		nums[i] = n
	}
	r := pyRange{step: 1}
	switch len(c.Args) {
	case 0:
		return nil, errors.New("range expected at least 1 argument, got 0")
	case 1:
		r.stop = nums[0]
	case 2:
		r.start, r.stop = nums[0], nums[1]
	case 3:
		r.start, r.stop, r.step = nums[0], nums[1], nums[2]
		if r.step == 0 {
			return nil, errors.New("range() arg 3 must not be zero")
		}
	}
	// Jinja's sandbox limit on range size; also protects memory.
	n := (r.stop - r.start) / r.step
	if n > 100000 {
		return nil, errors.New("range too big")
	}
	return r, nil
}

func builtinDict(c *Call) (Value, error) {
	d := NewDict()
	if len(c.Args) > 1 {
		return nil, fmt.Errorf("dict expected at most 1 argument, got %d", len(c.Args))
	}
	if len(c.Args) == 1 {
		if _, err := dictMethod(d, "update", c.Args, nil); err != nil {
			return nil, err
		}
	}
	for i, k := range c.Kwargs.keys {
		d.Set(k, c.Kwargs.vals[i])
	}
	return d, nil
}

func builtinNamespace(c *Call) (Value, error) {
	d, err := builtinDict(c)
	if err != nil {
		return nil, err
	}
	return &Namespace{d: d.(*Dict)}, nil
}

func builtinReturn(c *Call) (Value, error) {
	var v Value
	if len(c.Args) > 0 {
		v = c.Args[0]
	}
	return nil, &returnSignal{v: v}
}

type cycler struct {
	items []Value
	pos   int
}

func (cy *cycler) Getattr(name string) (Value, bool) {
	switch name {
	case "current":
		return cy.items[cy.pos], true
	case "next":
		return Func(func(*Call) (Value, error) {
			v := cy.items[cy.pos]
			cy.pos = (cy.pos + 1) % len(cy.items)
			return v, nil
		}), true
	case "reset":
		return Func(func(*Call) (Value, error) { cy.pos = 0; return nil, nil }), true
	}
	return nil, false
}

func builtinCycler(c *Call) (Value, error) {
	if len(c.Args) == 0 {
		return nil, errors.New("at least one item has to be provided")
	}
	return &cycler{items: c.Args}, nil
}

func builtinJoiner(c *Call) (Value, error) {
	sep := ", "
	if len(c.Args) > 0 {
		sep = ToString(c.Args[0])
	}
	used := false
	return Func(func(*Call) (Value, error) {
		if !used {
			used = true
			return "", nil
		}
		return strings.Clone(sep), nil
	}), nil
}
