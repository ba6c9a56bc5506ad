package jinja

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/flosch/pongo2/v6"
)

// Filter implements `value | name(args, kw=...)`. kwargs must not be
// modified (filters called without keyword arguments share one empty Dict).
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
	root   *pongo2.NodeWrapper // in the skeleton shared by this shape
	body   []stmt
	macros []*Macro
	blocks []Block
	unit   *unit // the pieces root's nodes refer to; &own, or the parent's
	own    unit
	size   int
	// arena holds the template's nodes when nothing outside the template
	// can reach them; Release recycles it.
	arena *arena
}

// Release hands the template's memory to later parses. Call it only when
// the template will not be used again, by anything: no render of it may be
// running or start afterwards. A template whose nodes a macro, caller or
// recursive loop could keep is left to the garbage collector.
func (t *Template) Release() {
	a := t.arena
	if a == nil {
		return
	}
	*t = Template{}
	if a.reset() {
		arenaPool.Put(a)
	}
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
	return m.invoke(st, args, kw, caller, false)
}

// invoke runs the macro. With print set it writes its output (or the value
// it returns) to st.out and returns nil, sparing the string of a call whose
// output is printed anyway.
func (m *Macro) invoke(st *State, args []Value, kw *Dict, caller Value, print bool) (Value, error) {
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
	sc := st.newScope(parent)
	savedSc, savedFile, savedU := st.sc, st.file, st.u
	st.sc, st.file, st.u = sc, m.File, m.unit
	st.depth++
	defer func() {
		st.sc, st.file, st.u = savedSc, savedFile, savedU
		st.depth--
		st.freeScope(sc)
	}()

	used := 0
	for i, name := range m.Params {
		if i < len(args) {
			if _, dup := kw.getStr(name); dup {
				return nil, &hinted{"macro '" + m.Name + "' got multiple values for argument '" + name + "'", m.signature()}
			}
			sc.set(name, args[i])
			continue
		}
		if v, ok := kw.getStr(name); ok {
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
		if print {
			return nil, nil
		}
		return "", nil
	}
	start := len(st.out)
	perr := st.exec(m.body)
	if perr != nil {
		st.out = st.out[:start]
		err := unwrapPongo(perr)
		if r, ok := err.(*returnSignal); ok {
			if print {
				writeOut(st, r.v)
				return nil, nil
			}
			return r.v, nil
		}
		return nil, err
	}
	if print {
		return nil, nil
	}
	return st.take(start, nil), nil
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
	return t.RenderVars(mapVars(vars), data)
}

// RenderVars is Render with the per-render names supplied by vars (nil for
// none).
func (t *Template) RenderVars(vars Vars, data any) (out string, err error) {
	st := &State{Env: t.env, Data: data, vars: vars, tmpl: t, file: t.File, u: t.unit}
	st.init()
	defer func() {
		if r := recover(); r != nil {
			out, err = "", recoverError(t.File, r)
		}
	}()
	buf := outPool.Get().(*[]byte)
	if want := t.size + t.size/4; cap(*buf) < want {
		*buf = make([]byte, 0, want)
	}
	st.out = (*buf)[:0]
	mem := memPool.Get().(*renderMem)
	st.mem, st.vals = mem, mem.vals
	perr := st.exec(t.root)
	if perr == nil {
		out = string(st.out)
	}
	if cap(st.out) <= outPoolMax {
		*buf = st.out[:0]
		outPool.Put(buf)
	}
	clear(st.vals[:cap(st.vals)])
	mem.vals = st.vals[:0]
	memPool.Put(mem)
	// A State kept past its render (by a Func, say) must not write into
	// a buffer another render now owns, nor recycle memory into it.
	st.out, st.mem, st.vals = nil, nil, nil
	if perr != nil {
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
	return out, nil
}

// outPool recycles render output buffers; the rendered text is copied out.
var outPool = sync.Pool{New: func() any { return new([]byte) }}

const outPoolMax = 1 << 20

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
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	toks, strs, counts, lerr := lex(file, src, sc.toks)
	sc.toks = toks
	if lerr != nil {
		return nil, lerr
	}
	ar := arenaPool.Get().(*arena)
	p := &parser{file: file, src: src, env: e, toks: toks, strs: strs, stmtStack: sc.stmts, exprStack: sc.exprs, kwStack: sc.kws, tagStack: sc.tags, endStack: sc.ends, ar: ar}
	p.sizeSlabs(counts)
	body, perr := p.parseTemplate()
	sc.stmts, sc.exprs, sc.kws, sc.tags, sc.ends = p.stmtStack, p.exprStack, p.kwStack, p.tagStack, p.endStack
	if perr != nil {
		return nil, perr
	}
	// With every filter and test known, checkCallables has nothing to say.
	if p.unknownCallables > 0 {
		if perr := checkCallables(file, body, false); perr != nil {
			if perr.filter != "" {
				perr.Hint = e.filterHint(perr.filter)
			}
			return nil, perr
		}
	}
	em := emitter{shape: sc.shape[:0], pieces: sc.pieces[:0]}
	em.stmts(body)
	sc.shape, sc.pieces = em.shape, em.pieces
	sk, serr := skeletonFor(em.shape)
	if serr != nil {
		// Our parser validated the template; pongo2 rejecting what we
		// emitted is a bug here, not in the user's file.
		return nil, &Error{File: file, Msg: "internal error: pongo2 rejected the emitted template: " + serr.Error(), Err: serr}
	}
	t = &Template{File: file, env: e, root: sk.root, body: body, macros: p.macros, size: len(src)}
	u := &t.own
	u.pieces = arenaSlice(&ar.pieces, len(em.pieces))
	copy(u.pieces, em.pieces)
	if !p.keepsNodes && len(p.blocks) == 0 {
		t.arena = ar
	}
	t.unit = u
	for i := range u.pieces {
		switch s := u.pieces[i].s.(type) {
		case *macroStmt:
			s.m.unit, s.m.body = u, sk.bodies[i]
		case *callBlockStmt:
			s.caller.unit = u
		case *blockStmt:
			if s.block.Kind != "docs" {
				s.block.Sub = &Template{File: file, env: e, root: sk.bodies[i], body: s.body, unit: u}
			}
		}
	}
	if len(p.blocks) > 0 {
		t.blocks = make([]Block, len(p.blocks))
		for i, b := range p.blocks {
			t.blocks[i] = *b
		}
	}
	return t, nil
}

// scratch is the reusable working memory of one Parse: the token buffer,
// the parser's stacks and the emitter's shape and piece buffers. Nothing
// in it outlives the Parse that borrowed it. Buffers are truncated, not
// cleared: what they still point at is at most one old template, and
// sync.Pool drops idle scratches at the next garbage collections.
type scratch struct {
	toks   []token
	stmts  []stmt
	exprs  []expr
	kws    []kwarg
	tags   []openTag
	ends   [][]string
	shape  []byte
	pieces []piece
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// scratchMaxToks bounds the token buffer kept for reuse, so one huge
// template does not pin its buffer in the pool.
const scratchMaxToks = 1 << 14

func (sc *scratch) release() {
	if cap(sc.toks) > scratchMaxToks {
		return
	}
	sc.toks, sc.stmts, sc.exprs, sc.tags = sc.toks[:0], sc.stmts[:0], sc.exprs[:0], sc.tags[:0]
	clear(sc.kws)
	sc.kws, sc.ends = sc.kws[:0], sc.ends[:0]
	sc.shape, sc.pieces = sc.shape[:0], sc.pieces[:0]
	scratchPool.Put(sc)
}
