package jinja

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/flosch/pongo2/v6"
)

// Filter implements `value | name(args, kw=...)`.
type Filter func(s *State, v Value, args []Value, kwargs *Dict) (Value, error)

// Test implements `value is name(args)`.
type Test func(s *State, v Value, args []Value) (bool, error)

// Env holds what every template shares: globals, filters and tests. Set it
// up before parsing; afterwards it is read concurrently and must not change.
type Env struct {
	// Globals are visible to every render, after per-render vars.
	Globals map[string]Value
	// Filters holds the built-in filters; callers may add their own.
	Filters map[string]Filter
	// Tests holds the built-in `is` tests; callers may add their own.
	Tests map[string]Test
	// Resolve, if set, is asked for names found nowhere else (project-wide
	// macros, or names whose use the caller wants to notice). It gets the
	// running State and is called concurrently.
	Resolve func(s *State, name string) (Value, bool)
	// ResolveNames, if set, lists the names Resolve knows, for the
	// did-you-mean hint of an undefined name. It is called concurrently.
	ResolveNames func() []string
}

// filterHint suggests the filter a misspelt name probably meant.
func (e *Env) filterHint(name string) string {
	names := make([]string, 0, len(e.Filters))
	for n := range e.Filters {
		names = append(names, n)
	}
	if s := didYouMean(name, names); s != "" {
		return fmt.Sprintf("did you mean '%s'?", s)
	}
	return ""
}

// NewEnv returns an Env with Jinja's built-in filters and tests.
func NewEnv() *Env {
	e := &Env{
		Globals: map[string]Value{},
		Filters: make(map[string]Filter, len(builtinFilters)),
		Tests:   make(map[string]Test, len(builtinTests)),
	}
	for k, v := range builtinFilters {
		e.Filters[k] = v
	}
	for k, v := range builtinTests {
		e.Tests[k] = v
	}
	return e
}

// Template is a parsed template, safe to render from many goroutines.
type Template struct {
	File string

	env    *Env
	root   *pongo2.NodeWrapper
	body   []stmt
	macros []*Macro
	blocks []Block
	unit   *unit
	size   int
}

// Block is a dbt top-level block: {% docs %}, {% snapshot %} or
// {% materialization %}.
type Block struct {
	Kind, Name string
	// Body is the raw, unrendered text of a docs block.
	Body string
	// Sub renders the body of a snapshot or materialization block.
	Sub       *Template
	Line, Col int
	// Kwargs holds materialization arguments: adapter (default "default")
	// and supported_languages when given.
	Kwargs map[string]Value
}

// Macro is a {% macro %} or {% test %} definition, callable from any
// template.
type Macro struct {
	Name   string
	Params []string
	File   string
	Line   int

	defaults     []expr // aligned with Params; nil where there is none
	body         *pongo2.NodeWrapper
	unit         *unit
	catchKwargs  bool // the body mentions kwargs
	catchVarargs bool // the body mentions varargs
	callerUsed   bool
	isCaller     bool
	scope        *scope // enclosing scope for macros defined in a block
}

// analyze records which special names the body uses: like Jinja, a macro
// accepts extra keyword or positional arguments only if it reads kwargs or
// varargs.
func (m *Macro) analyze(body []stmt) {
	walkStmts(body, func(x expr) {
		if n, ok := x.(*nameExpr); ok {
			switch n.name {
			case "kwargs":
				m.catchKwargs = true
			case "varargs":
				m.catchVarargs = true
			case "caller":
				m.callerUsed = true
			}
		}
	})
}

// signature tells where the macro is defined and what it takes, as a hint
// for a call that does not fit.
func (m *Macro) signature() string {
	params := make([]string, len(m.Params))
	for i, p := range m.Params {
		params[i] = p
		if i < len(m.defaults) && m.defaults[i] != nil {
			params[i] += "=..."
		}
	}
	at := ""
	if m.File != "" {
		at = " at " + m.File
		if m.Line > 0 {
			at += ":" + strconv.Itoa(m.Line)
		}
	}
	return fmt.Sprintf("%s(%s) is defined%s", m.Name, strings.Join(params, ", "), at)
}

// CallJinja implements Callable.
func (m *Macro) CallJinja(c *Call) (Value, error) {
	kw := c.Kwargs
	if kw == nil {
		kw = NewDict()
	}
	return m.call(c.State, c.Args, kw, c.Caller)
}

const maxDepth = 400

func (m *Macro) call(st *State, args []Value, kw *Dict, caller Value) (Value, error) {
	if st == nil {
		return nil, errors.New("macro '" + m.Name + "' called without a render state")
	}
	if len(args) > len(m.Params) && !m.catchVarargs {
		return nil, &hinted{fmt.Sprintf("macro '%s' takes not more than %d argument(s)", m.Name, len(m.Params)), m.signature()}
	}
	if st.depth >= maxDepth {
		return nil, errors.New("maximum recursion depth exceeded")
	}
	parent := m.scope
	if parent == nil && st.tmpl != nil && m.unit == st.tmpl.unit {
		parent = st.root
	}
	sc := &scope{parent: parent, names: make([]string, 0, len(m.Params)+1), vals: make([]Value, 0, len(m.Params)+1)}
	savedSc, savedFile := st.sc, st.file
	st.sc, st.file = sc, m.File
	st.depth++
	defer func() { st.sc, st.file = savedSc, savedFile; st.depth-- }()

	used := 0
	for i, name := range m.Params {
		if i < len(args) {
			if _, dup := kw.Get(name); dup {
				return nil, &hinted{"macro '" + m.Name + "' got multiple values for argument '" + name + "'", m.signature()}
			}
			sc.set(name, args[i])
			continue
		}
		if v, ok := kw.Get(name); ok {
			sc.set(name, v)
			used++
			continue
		}
		if d := m.defaults[i]; d != nil {
			v, err := d.eval(st)
			if err != nil {
				return nil, err
			}
			sc.set(name, v)
			continue
		}
		sc.set(name, Undefined{Name: name, msg: "parameter '" + name + "' was not provided"})
	}
	if m.catchVarargs {
		extra := &List{Tuple: true}
		if len(args) > len(m.Params) {
			extra.Items = append(extra.Items, args[len(m.Params):]...)
		}
		sc.set("varargs", extra)
	}
	if used < kw.Len() {
		rest := NewDict()
		for i, k := range kw.keys {
			if s, ok := k.(string); ok && contains(m.Params, s) {
				continue
			}
			if !m.catchKwargs {
				return nil, &hinted{"macro '" + m.Name + "' takes no keyword argument '" + ToString(k) + "'", m.signature()}
			}
			rest.Set(k, kw.vals[i])
		}
		if m.catchKwargs {
			sc.set("kwargs", rest)
		}
	} else if m.catchKwargs {
		sc.set("kwargs", NewDict())
	}
	if caller != nil {
		sc.set("caller", caller)
	}
	if m.body == nil {
		return "", nil
	}
	var b strings.Builder
	if perr := m.body.Execute(st.execCtx(), &b); perr != nil {
		err := unwrapPongo(perr)
		if r, ok := err.(*returnSignal); ok {
			return r.v, nil
		}
		return nil, err
	}
	return b.String(), nil
}

// Macros returns the template's top-level {% macro %} and {% test %}
// definitions (tests are named "test_"+name, as in dbt).
func (t *Template) Macros() []*Macro { return t.macros }

// Blocks returns the template's top-level dbt blocks in source order.
func (t *Template) Blocks() []Block { return t.blocks }

// Names returns the sorted free names the template references, e.g. to
// know whether it mentions `execute`.
func (t *Template) Names() []string {
	seen := map[string]bool{}
	walkStmts(t.body, func(x expr) {
		if n, ok := x.(*nameExpr); ok {
			seen[n.name] = true
		}
	})
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Render runs the template. vars are per-render names (this, model,
// config...); data is opaque to the engine and reachable as
// Call.State.Data. The error is an *Error.
func (t *Template) Render(vars map[string]Value, data any) (out string, err error) {
	st := &State{Env: t.env, Data: data, vars: vars, tmpl: t, file: t.File}
	st.root = &scope{}
	st.sc = st.root
	defer func() {
		if r := recover(); r != nil {
			out, err = "", recoverError(t.File, r)
		}
	}()
	var b strings.Builder
	b.Grow(t.size + t.size/4)
	if perr := t.root.Execute(st.execCtx(), &b); perr != nil {
		err := unwrapPongo(perr)
		switch err.(type) {
		case *returnSignal:
			return "", &Error{File: t.File, Msg: "return() called outside of a macro"}
		case loopSignal:
			return "", &Error{File: t.File, Msg: err.Error()}
		}
		if _, ok := err.(*Error); !ok {
			err = positioned(err, t.File, pos{})
		}
		return "", err
	}
	return b.String(), nil
}

func unwrapPongo(perr *pongo2.Error) error {
	if perr.OrigError != nil {
		return perr.OrigError
	}
	return errors.New(perr.Error())
}

// Parse compiles a template. The error is an *Error positioned in src.
func (e *Env) Parse(file, src string) (t *Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, recoverError(file, r)
		}
	}()
	src = normalizeSource(src)
	toks, lerr := lex(file, src)
	if lerr != nil {
		return nil, lerr
	}
	p := &parser{file: file, src: src, env: e, toks: toks}
	body, perr := p.parseTemplate()
	if perr != nil {
		return nil, perr
	}
	if perr := checkCallables(file, body, false); perr != nil {
		if perr.filter != "" {
			perr.Hint = e.filterHint(perr.filter)
		}
		return nil, perr
	}
	u := &unit{id: unitSeq.Add(1), file: file, env: e}
	u.name = "gm:" + strconv.FormatInt(u.id, 10)
	em := &emitter{u: u}
	em.b.Grow(len(body)*16 + 64)
	em.root(body)
	u.src = em.b.String()

	registry.Store(u.name, u)
	defer registry.Delete(u.name)
	set := setPool.Get().(*pongo2.TemplateSet)
	_, p2err := set.FromFile(u.name)
	setPool.Put(set)
	if p2err != nil {
		// Our parser validated the template; pongo2 rejecting what we
		// emitted is a bug here, not in the user's file.
		return nil, &Error{File: file, Msg: "internal error: pongo2 rejected the emitted template: " + p2err.Error(), Err: p2err}
	}
	if u.root == nil {
		return nil, &Error{File: file, Msg: "internal error: no root node after pongo2 parse"}
	}
	t = &Template{File: file, env: e, root: u.root, body: body, macros: p.macros, unit: u, size: len(src)}
	for _, b := range p.blocks {
		t.blocks = append(t.blocks, *b)
	}
	u.pieces, u.src = nil, ""
	return t, nil
}
