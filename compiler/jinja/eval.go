package jinja

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/flosch/pongo2/v6"
)

// State is one running render. It is confined to the goroutine that called
// Render; Funcs receive it through Call.State.
type State struct {
	Env  *Env
	Data any

	vars  Vars
	root  *scope // template-level names ({% set %} at top level)
	sc    *scope // innermost scope
	tmpl  *Template
	u     *unit  // pieces of the code running now, for the pongo2 nodes
	file  string // file of the code running now, for error positions
	depth int

	// out is the output buffer, used as a stack: a macro call, set block
	// or filter block appends from its start offset and takes its text
	// back off the end (see capture), so nested output needs no buffers of
	// its own.
	out    []byte
	w      outWriter
	ctx    pongo2.ExecutionContext // handed to pongo2; the nodes use w
	rootSc scope

	// vals is a stack for the arguments of macro calls, which the macro
	// copies into its scope: each call pushes its arguments and pops
	// them when it returns.
	vals []Value
	// mem recycles what a finished macro call or loop leaves behind
	// (nil outside Template.Render: nothing is recycled).
	mem *renderMem
}

// renderMem is the memory one render recycles: scopes of returned macro
// calls and finished loops that nothing captured, and the keyword-argument
// dicts of macro calls (the macro copies them into its scope). Render
// borrows it from a pool and detaches it when done, so a State kept past
// its render never hands out memory another render uses.
type renderMem struct {
	scopes []*scope
	dicts  []*Dict
	vals   []Value
}

var memPool = sync.Pool{New: func() any { return new(renderMem) }}

// newScope returns an empty scope under parent, recycled when it can be.
func (s *State) newScope(parent *scope) *scope {
	if m := s.mem; m != nil && len(m.scopes) > 0 {
		sc := m.scopes[len(m.scopes)-1]
		m.scopes = m.scopes[:len(m.scopes)-1]
		sc.parent = parent
		return sc
	}
	return &scope{parent: parent}
}

// freeScope recycles sc, which the code that made it no longer uses,
// unless a macro or loop closure holds on to it.
func (s *State) freeScope(sc *scope) {
	if s.mem == nil || sc.captured {
		return
	}
	clear(sc.names)
	sc.reset()
	sc.parent = nil
	s.mem.scopes = append(s.mem.scopes, sc)
}

// newKwargs returns an empty dict for the keyword arguments of a macro
// call, recycled when it can be.
func (s *State) newKwargs(n int) *Dict {
	if m := s.mem; m != nil && len(m.dicts) > 0 {
		d := m.dicts[len(m.dicts)-1]
		m.dicts = m.dicts[:len(m.dicts)-1]
		return d
	}
	return newKwargs(n)
}

// freeKwargs recycles the keyword-argument dict of a returned macro call.
func (s *State) freeKwargs(d *Dict) {
	if s.mem == nil || d.idx != nil {
		return
	}
	clear(d.keys)
	clear(d.vals)
	d.keys, d.vals = d.keys[:0], d.vals[:0]
	s.mem.dicts = append(s.mem.dicts, d)
}

// scope holds the names one Jinja frame assigns. Frames are small, so a
// slice scan is faster than a map and allocates less; the first few names
// live in the scope itself.
type scope struct {
	names  []string
	vals   []Value
	parent *scope
	nbuf   [4]string
	vbuf   [4]Value
	// captured is set when a closure (a macro defined in a block, a
	// {% call %} caller, a recursive loop) holds the scope or a scope
	// under it: it must then never be recycled.
	captured bool
}

// capture marks sc and the scopes it sees as held by a closure.
func (sc *scope) capture() {
	for ; sc != nil && !sc.captured; sc = sc.parent {
		sc.captured = true
	}
}

func (sc *scope) set(name string, v Value) {
	for i, n := range sc.names {
		if n == name {
			sc.vals[i] = v
			return
		}
	}
	if sc.names == nil {
		sc.names, sc.vals = sc.nbuf[:0], sc.vbuf[:0]
	}
	sc.names = append(sc.names, name)
	sc.vals = append(sc.vals, v)
}

func (sc *scope) reset() {
	sc.names = sc.names[:0]
	clear(sc.vals)
	sc.vals = sc.vals[:0]
}

// NewState returns a State for calling macros or functions from Go outside
// of Template.Render (e.g. running a project macro directly).
func (e *Env) NewState(vars map[string]Value, data any) *State {
	return e.NewStateVars(mapVars(vars), data)
}

// NewStateVars is NewState with the per-render names supplied by vars.
func (e *Env) NewStateVars(vars Vars, data any) *State {
	st := &State{Env: e, Data: data, vars: vars}
	st.init()
	return st
}

// Vars supplies the per-render names of a render (this, model, config...)
// in place of a map, e.g. creating none of them until the template asks.
// Lookup asks Var after the template's own scopes and before Env.Globals.
// A Vars is used by one render at a time.
type Vars interface {
	Var(name string) (Value, bool)
	// VarNames lists the names Var knows, for the did-you-mean hint of
	// an undefined name.
	VarNames() []string
}

// mapVars is a Vars from a map.
type mapVars map[string]Value

func (m mapVars) Var(name string) (Value, bool) {
	v, ok := m[name]
	return v, ok
}

func (m mapVars) VarNames() []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	return names
}

func (s *State) init() {
	s.root = &s.rootSc
	s.sc = s.root
	s.w.st = s
}

// Lookup resolves a name: current scopes, then render vars, Env.Globals,
// the built-in globals and finally Env.Resolve.
func (s *State) Lookup(name string) (Value, bool) {
	for sc := s.sc; sc != nil; sc = sc.parent {
		for i := len(sc.names) - 1; i >= 0; i-- {
			if sc.names[i] == name {
				return sc.vals[i], true
			}
		}
	}
	if s.vars != nil {
		if v, ok := s.vars.Var(name); ok {
			return v, true
		}
	}
	if v, ok := s.Env.Globals[name]; ok {
		return v, true
	}
	if v, ok := builtinGlobals[name]; ok {
		return v, true
	}
	if s.Env.Resolve != nil {
		if v, ok := s.Env.Resolve(s, name); ok {
			return v, true
		}
	}
	return Undefined{Name: name}, false
}

// File returns the template file whose code is running.
func (s *State) File() string { return s.file }

// exec runs a pongo2 node tree of this render, writing to s.out.
func (s *State) exec(body *pongo2.NodeWrapper) *pongo2.Error {
	return body.Execute(&s.ctx, &s.w)
}

// capture runs body and returns what it wrote, leaving s.out as it was.
func (s *State) capture(body *pongo2.NodeWrapper) (string, *pongo2.Error) {
	start := len(s.out)
	perr := s.exec(body)
	return s.take(start, perr), perr
}

// take removes and returns the output written since start ("" after an
// error).
func (s *State) take(start int, perr *pongo2.Error) string {
	out := ""
	if perr == nil {
		out = string(s.out[start:])
	}
	s.out = s.out[:start]
	return out
}

func (s *State) errAt(p pos, format string, args ...any) *Error {
	return errorf(s.file, p, format, args...)
}

// nameHint suggests the defined name an undefined one probably meant.
func (s *State) nameHint(name string) string {
	var names []string
	for sc := s.sc; sc != nil; sc = sc.parent {
		names = append(names, sc.names...)
	}
	if s.vars != nil {
		names = append(names, s.vars.VarNames()...)
	}
	for n := range s.Env.Globals {
		names = append(names, n)
	}
	for n := range builtinGlobals {
		names = append(names, n)
	}
	if s.Env.ResolveNames != nil {
		names = append(names, s.Env.ResolveNames()...)
	}
	if m := didYouMean(name, names); m != "" {
		return fmt.Sprintf("did you mean '%s'?", m)
	}
	return ""
}

func (s *State) undefinedErr(p pos, u Undefined) *Error {
	return &Error{File: s.file, Line: int(p.line), Col: int(p.col), Msg: u.message()}
}

func (e *constExpr) eval(*State) (Value, error) { return e.v, nil }

func (e *nameExpr) eval(st *State) (Value, error) {
	v, _ := st.Lookup(e.name)
	return v, nil
}

func (e *listExpr) eval(st *State) (Value, error) {
	l := newListLen(len(e.items), e.tuple)
	for i, it := range e.items {
		v, err := it.eval(st)
		if err != nil {
			return nil, err
		}
		l.Items[i] = v
	}
	return l, nil
}

func (e *dictExpr) eval(st *State) (Value, error) {
	d := &Dict{keys: make([]Value, 0, len(e.keys)), vals: make([]Value, 0, len(e.keys))}
	for i := range e.keys {
		k, err := e.keys[i].eval(st)
		if err != nil {
			return nil, err
		}
		if !isHashable(k) {
			return nil, st.errAt(e.keys[i].position(), "unhashable type: '%s'", typeName(k))
		}
		v, err := e.vals[i].eval(st)
		if err != nil {
			return nil, err
		}
		d.Set(k, v)
	}
	return d, nil
}

func (e *getattrExpr) eval(st *State) (Value, error) {
	obj, err := e.obj.eval(st)
	if err != nil {
		return nil, err
	}
	if u, ok := obj.(Undefined); ok {
		return nil, st.undefinedErr(e.obj.position(), u)
	}
	return getattr(obj, e.name), nil
}

// getattr is Jinja's `a.b`: the attribute (a method for built-in types)
// first, then the item.
func getattr(obj Value, name string) Value {
	switch x := obj.(type) {
	case *Dict:
		if isMethod(x, name) {
			return &boundMethod{recv: x, name: name}
		}
		if v, ok := x.Get(name); ok {
			return v
		}
	case string, *List:
		if isMethod(x, name) {
			return &boundMethod{recv: x, name: name}
		}
	case *Macro:
		switch name {
		case "name":
			return x.Name
		case "arguments":
			l := &List{Tuple: true}
			for _, p := range x.Params {
				l.Items = append(l.Items, p)
			}
			return l
		case "catch_kwargs":
			return x.catchKwargs
		case "catch_varargs":
			return x.catchVarargs
		case "caller":
			return x.callerUsed
		}
	case *loopObj:
		if v, ok := x.Getattr(name); ok {
			return v
		}
	case Getattrer:
		if v, ok := x.Getattr(name); ok {
			return v
		}
	case nil, bool, int64, float64, Func, pyRange:
	default:
		switch n := normalize(obj).(type) {
		case *Dict, *List:
			return getattr(n, name)
		}
	}
	return Undefined{Name: name, msg: fmt.Sprintf("%s has no attribute '%s'", objDesc(obj), name)}
}

// objDesc is how Jinja names an object in "has no attribute" messages.
func objDesc(v Value) string {
	switch v.(type) {
	case nil:
		return "'None'"
	}
	return "'" + typeName(v) + " object'"
}

func (e *getitemExpr) eval(st *State) (Value, error) {
	obj, err := e.obj.eval(st)
	if err != nil {
		return nil, err
	}
	if u, ok := obj.(Undefined); ok {
		return nil, st.undefinedErr(e.obj.position(), u)
	}
	key, err := e.key.eval(st)
	if err != nil {
		return nil, err
	}
	v, err := getitem(obj, key)
	if err != nil {
		return nil, st.errAt(e.p, "%s", err)
	}
	return v, nil
}

// getitem is Jinja's `a[b]`: the item first, then the attribute.
func getitem(obj, key Value) (Value, error) {
	switch x := obj.(type) {
	case *List:
		if i, ok := toIndex(key); ok {
			if i < 0 {
				i += int64(len(x.Items))
			}
			if i >= 0 && i < int64(len(x.Items)) {
				return x.Items[i], nil
			}
			return Undefined{msg: fmt.Sprintf("%s has no element %s", objDesc(obj), Repr(key))}, nil
		}
	case *Dict:
		if isHashable(key) {
			if v, ok := x.Get(key); ok {
				return v, nil
			}
		} else {
			return nil, fmt.Errorf("unhashable type: '%s'", typeName(key))
		}
	case string:
		if i, ok := toIndex(key); ok {
			rs := []rune(x)
			if i < 0 {
				i += int64(len(rs))
			}
			if i >= 0 && i < int64(len(rs)) {
				return string(rs[i]), nil
			}
			return Undefined{msg: fmt.Sprintf("%s has no element %s", objDesc(obj), Repr(key))}, nil
		}
	case pyRange:
		return getitem(&List{Items: x.items()}, key)
	}
	if name, ok := key.(string); ok {
		v := getattr(obj, name)
		if u, ok := v.(Undefined); ok {
			u.msg = fmt.Sprintf("%s has no attribute '%s'", objDesc(obj), name)
			return u, nil
		}
		return v, nil
	}
	switch obj.(type) {
	case *List, *Dict, string, pyRange:
	default:
		switch n := normalize(obj).(type) {
		case *List, *Dict:
			return getitem(n, key)
		}
	}
	return Undefined{msg: fmt.Sprintf("%s has no element %s", objDesc(obj), Repr(key))}, nil
}

func toIndex(v Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int:
		return int64(x), true
	}
	return 0, false
}

func (e *sliceExpr) eval(st *State) (Value, error) {
	obj, err := e.obj.eval(st)
	if err != nil {
		return nil, err
	}
	if u, ok := obj.(Undefined); ok {
		return nil, st.undefinedErr(e.obj.position(), u)
	}
	var bounds [3]*int64
	for i, x := range []expr{e.start, e.stop, e.step} {
		if x == nil {
			continue
		}
		v, err := x.eval(st)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		n, ok := toIndex(v)
		if !ok {
			return nil, st.errAt(x.position(), "slice indices must be integers or None or have an __index__ method")
		}
		bounds[i] = &n
	}
	v, err := slice(obj, bounds[0], bounds[1], bounds[2])
	if err != nil {
		return nil, st.errAt(e.p, "%s", err)
	}
	return v, nil
}

// sliceIndices mirrors Python's slice.indices.
func sliceIndices(n int64, start, stop, step *int64) (int64, int64, int64, error) {
	st := int64(1)
	if step != nil {
		st = *step
		if st == 0 {
			return 0, 0, 0, errors.New("slice step cannot be zero")
		}
	}
	clamp := func(p *int64, def int64) int64 {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += n
			if v < 0 {
				if st < 0 {
					return -1
				}
				return 0
			}
		} else if v >= n {
			if st < 0 {
				return n - 1
			}
			return n
		}
		return v
	}
	if st > 0 {
		return clamp(start, 0), clamp(stop, n), st, nil
	}
	return clamp(start, n-1), clamp(stop, -1), st, nil
}

func slice(obj Value, start, stop, step *int64) (Value, error) {
	pick := func(n int64) ([]int64, error) {
		a, b, s, err := sliceIndices(n, start, stop, step)
		if err != nil {
			return nil, err
		}
		var idx []int64
		if s > 0 {
			for i := a; i < b; i += s {
				idx = append(idx, i)
			}
		} else {
			for i := a; i > b; i += s {
				idx = append(idx, i)
			}
		}
		return idx, nil
	}
	switch x := obj.(type) {
	case *List:
		idx, err := pick(int64(len(x.Items)))
		if err != nil {
			return nil, err
		}
		out := &List{Items: make([]Value, len(idx)), Tuple: x.Tuple}
		for i, j := range idx {
			out.Items[i] = x.Items[j]
		}
		return out, nil
	case string:
		rs := []rune(x)
		idx, err := pick(int64(len(rs)))
		if err != nil {
			return nil, err
		}
		out := make([]rune, len(idx))
		for i, j := range idx {
			out[i] = rs[j]
		}
		return string(out), nil
	case pyRange:
		return slice(&List{Items: x.items()}, start, stop, step)
	}
	if n, ok := normalize(obj).(*List); ok {
		return slice(n, start, stop, step)
	}
	return nil, fmt.Errorf("'%s' object is not subscriptable", typeName(obj))
}

func (e *callExpr) eval(st *State) (Value, error) {
	v, _, err := e.run(st, nil, false)
	return v, err
}

// evalWith calls with `caller` set, for {% call %} blocks.
func (e *callExpr) evalWith(st *State, caller Value) (Value, error) {
	v, _, err := e.run(st, caller, false)
	return v, err
}

// print calls and writes the result to the output, as {{ call(...) }}
// does. A macro writes its output in place rather than through a string.
func (e *callExpr) print(st *State, caller Value) error {
	v, printed, err := e.run(st, caller, true)
	if err == nil && !printed {
		writeOut(st, v)
	}
	return err
}

// run calls; with print set, a macro callee writes its output to st.out
// itself and run reports printed.
func (e *callExpr) run(st *State, caller Value, print bool) (Value, bool, error) {
	var fn Value
	var recv Value
	method := ""
	if g, ok := e.fn.(*getattrExpr); ok {
		obj, err := g.obj.eval(st)
		if err != nil {
			return nil, false, err
		}
		if u, ok := obj.(Undefined); ok {
			return nil, false, st.undefinedErr(g.obj.position(), u)
		}
		if isMethod(obj, g.name) {
			recv, method = obj, g.name
		} else {
			fn = getattr(obj, g.name)
		}
	} else {
		var err error
		fn, err = e.fn.eval(st)
		if err != nil {
			return nil, false, err
		}
	}
	if u, ok := fn.(Undefined); ok && method == "" {
		err := st.undefinedErr(e.fn.position(), u)
		if n, ok := e.fn.(*nameExpr); ok {
			err.Hint = st.nameHint(n.name)
		}
		return nil, false, err
	}
	if m, ok := fn.(*Macro); ok && method == "" && e.star == nil && e.dstar == nil {
		return e.callMacro(st, m, caller, print)
	}
	// A Go function with a couple of positional arguments gets its Call
	// and its arguments in one allocation.
	var gc *goCall
	var args []Value
	if method == "" && e.star == nil && len(e.args) <= len(gc.a) && isGoCallable(fn) {
		gc = new(goCall)
		args = gc.a[:0:len(e.args)]
	} else {
		args = make([]Value, 0, len(e.args))
	}
	for _, a := range e.args {
		v, err := a.eval(st)
		if err != nil {
			return nil, false, err
		}
		args = append(args, v)
	}
	if e.star != nil {
		v, err := e.star.eval(st)
		if err != nil {
			return nil, false, err
		}
		items, err := iterate(v)
		if err != nil {
			return nil, false, st.errAt(e.star.position(), "%s", err)
		}
		args = append(args, items...)
	}
	kw := emptyKwargs
	if len(e.kwargs) > 0 || e.dstar != nil {
		kw = newKwargs(len(e.kwargs))
	}
	for _, k := range e.kwargs {
		v, err := k.x.eval(st)
		if err != nil {
			return nil, false, err
		}
		kw.Set(k.key, v)
	}
	if e.dstar != nil {
		v, err := e.dstar.eval(st)
		if err != nil {
			return nil, false, err
		}
		d, ok := normalize(v).(*Dict)
		if !ok {
			return nil, false, st.errAt(e.dstar.position(), "argument after ** must be a mapping, not %s", typeName(v))
		}
		for i, k := range d.keys {
			kw.Set(k, d.vals[i])
		}
	}
	var v Value
	var err error
	switch {
	case gc != nil:
		gc.c = Call{Args: args, Kwargs: kw, Caller: caller, State: st, Line: int(e.p.line), Col: int(e.p.col)}
		v, err = callGo(fn, &gc.c)
	case method != "":
		v, err = callMethod(st, recv, method, args, kw)
	default:
		v, err = callValue(st, fn, args, kw, caller, e.p)
	}
	if err != nil {
		if m, ok := fn.(*Macro); ok {
			noteCall(err, m.Name, st.file, e.p)
		}
		return nil, false, positioned(err, st.file, e.p)
	}
	return v, false, nil
}

// callMacro is run for the commonest call, a macro with plain positional
// and keyword arguments. The macro copies its arguments into its own
// scope, so they live on the State's value stack and in a recycled dict.
func (e *callExpr) callMacro(st *State, m *Macro, caller Value, print bool) (Value, bool, error) {
	base := len(st.vals)
	defer func() {
		clear(st.vals[base:])
		st.vals = st.vals[:base]
	}()
	for _, a := range e.args {
		v, err := a.eval(st)
		if err != nil {
			return nil, false, err
		}
		st.vals = append(st.vals, v)
	}
	kw := emptyKwargs
	if len(e.kwargs) > 0 {
		kw = st.newKwargs(len(e.kwargs))
		defer st.freeKwargs(kw)
	}
	for _, k := range e.kwargs {
		v, err := k.x.eval(st)
		if err != nil {
			return nil, false, err
		}
		kw.Set(k.key, v)
	}
	n := len(st.vals)
	v, err := m.invoke(st, st.vals[base:n:n], kw, caller, print)
	if err != nil {
		noteCall(err, m.Name, st.file, e.p)
		return nil, false, positioned(err, st.file, e.p)
	}
	return v, print, nil
}

// noteCall records on an error raised inside macro name that the macro was
// called at file:p, so that the user learns which call failed.
func noteCall(err error, name, file string, p pos) {
	var je *Error
	if !errors.As(err, &je) || (je.File == file && je.Line == int(p.line) && je.Col == int(p.col)) {
		return
	}
	je.Calls = append(je.Calls, Frame{Macro: name, File: file, Line: int(p.line), Col: int(p.col)})
}

// CallValue calls any callable value with the given arguments.
func CallValue(s *State, fn Value, args []Value, kwargs *Dict) (Value, error) {
	if kwargs == nil {
		kwargs = NewDict()
	}
	return callValue(s, fn, args, kwargs, nil, pos{})
}

// goCall is a Call allocated together with room for its positional
// arguments.
type goCall struct {
	c Call
	a [2]Value
}

// isGoCallable reports whether fn is a Go function callGo can call (not a
// macro or bound method, which callValue calls its own way).
func isGoCallable(fn Value) bool {
	switch fn.(type) {
	case *Macro, *boundMethod:
		return false
	case Func, Callable, func(c *Call) (Value, error):
		return true
	}
	return false
}

// callGo calls a Go function (see isGoCallable) with c.
func callGo(fn Value, c *Call) (Value, error) {
	switch f := fn.(type) {
	case Func:
		return f(c)
	case Callable:
		return f.CallJinja(c)
	case func(c *Call) (Value, error):
		return f(c)
	}
	return nil, fmt.Errorf("'%s' object is not callable", typeName(fn))
}

func callValue(st *State, fn Value, args []Value, kw *Dict, caller Value, p pos) (Value, error) {
	switch f := fn.(type) {
	case *Macro:
		return f.call(st, args, kw, caller)
	case *boundMethod:
		return callMethod(st, f.recv, f.name, args, kw)
	case Func, Callable, func(c *Call) (Value, error):
		return callGo(fn, &Call{Args: args, Kwargs: kw, Caller: caller, State: st, Line: int(p.line), Col: int(p.col)})
	case Undefined:
		return nil, errors.New(f.message())
	}
	return nil, fmt.Errorf("'%s' object is not callable", typeName(fn))
}

func (e *filterExpr) eval(st *State) (Value, error) {
	v, err := e.arg.eval(st)
	if err != nil {
		return nil, err
	}
	return e.apply(st, v)
}

func (e *filterExpr) apply(st *State, v Value) (Value, error) {
	fn := e.fn
	if fn == nil {
		fn = st.Env.Filters[e.name]
		if fn == nil {
			err := st.errAt(e.p, "No filter named '%s'.", e.name)
			err.Hint = st.Env.filterHint(e.name)
			return nil, err
		}
	}
	args, err := evalArgs(st, e.args)
	if err != nil {
		return nil, err
	}
	kw := emptyKwargs
	if len(e.kwargs) > 0 {
		kw = newKwargs(len(e.kwargs))
	}
	for _, k := range e.kwargs {
		x, err := k.x.eval(st)
		if err != nil {
			return nil, err
		}
		kw.Set(k.key, x)
	}
	out, err := fn(st, v, args, kw)
	if err != nil {
		return nil, positioned(err, st.file, e.p)
	}
	return out, nil
}

// evalArgs evaluates positional arguments in order (nil for none).
func evalArgs(st *State, exprs []expr) ([]Value, error) {
	if len(exprs) == 0 {
		return nil, nil
	}
	args := make([]Value, len(exprs))
	for i, a := range exprs {
		x, err := a.eval(st)
		if err != nil {
			return nil, err
		}
		args[i] = x
	}
	return args, nil
}

func (e *testExpr) eval(st *State) (Value, error) {
	fn := e.fn
	if fn == nil {
		fn = st.Env.Tests[e.name]
		if fn == nil {
			return nil, st.errAt(e.p, "No test named '%s'.", e.name)
		}
	}
	v, err := e.arg.eval(st)
	if err != nil {
		return nil, err
	}
	args, err := evalArgs(st, e.args)
	if err != nil {
		return nil, err
	}
	ok, err := fn(st, v, args)
	if err != nil {
		return nil, positioned(err, st.file, e.p)
	}
	return ok != e.negate, nil
}

func (e *binExpr) eval(st *State) (Value, error) {
	l, err := e.l.eval(st)
	if err != nil {
		return nil, err
	}
	if u, ok := l.(Undefined); ok {
		return nil, st.undefinedErr(e.l.position(), u)
	}
	r, err := e.r.eval(st)
	if err != nil {
		return nil, err
	}
	if u, ok := r.(Undefined); ok {
		return nil, st.undefinedErr(e.r.position(), u)
	}
	v, err := binop(e.op, l, r)
	if err != nil {
		return nil, st.errAt(e.p, "%s", err)
	}
	return v, nil
}

func (e *unaryExpr) eval(st *State) (Value, error) {
	v, err := e.x.eval(st)
	if err != nil {
		return nil, err
	}
	switch x := normalize(v).(type) {
	case int64:
		if e.op == "-" {
			return -x, nil
		}
		return x, nil
	case float64:
		if e.op == "-" {
			return -x, nil
		}
		return x, nil
	case bool:
		n := int64(0)
		if x {
			n = 1
		}
		if e.op == "-" {
			n = -n
		}
		return n, nil
	case Undefined:
		return nil, st.undefinedErr(e.x.position(), x)
	}
	return nil, st.errAt(e.p, "bad operand type for unary %s: '%s'", e.op, typeName(v))
}

func (e *notExpr) eval(st *State) (Value, error) {
	v, err := e.x.eval(st)
	if err != nil {
		return nil, err
	}
	return !IsTrue(v), nil
}

func (e *andExpr) eval(st *State) (Value, error) {
	l, err := e.l.eval(st)
	if err != nil || !IsTrue(l) {
		return l, err
	}
	return e.r.eval(st)
}

func (e *orExpr) eval(st *State) (Value, error) {
	l, err := e.l.eval(st)
	if err != nil || IsTrue(l) {
		return l, err
	}
	return e.r.eval(st)
}

func (e *compareExpr) eval(st *State) (Value, error) {
	l, err := e.first.eval(st)
	if err != nil {
		return nil, err
	}
	for i, op := range e.ops {
		r, err := e.rest[i].eval(st)
		if err != nil {
			return nil, err
		}
		ok, err := compare(op, l, r)
		if err != nil {
			if u, isU := l.(Undefined); isU {
				return nil, st.undefinedErr(e.first.position(), u)
			}
			if u, isU := r.(Undefined); isU {
				return nil, st.undefinedErr(e.rest[i].position(), u)
			}
			return nil, st.errAt(e.p, "%s", err)
		}
		if !ok {
			return false, nil
		}
		l = r
	}
	return true, nil
}

func (e *condExpr) eval(st *State) (Value, error) {
	c, err := e.cond.eval(st)
	if err != nil {
		return nil, err
	}
	if IsTrue(c) {
		return e.then.eval(st)
	}
	if e.else_ == nil {
		return Undefined{msg: fmt.Sprintf("the inline if-expression on line %d evaluated to false and no else section was defined.", e.p.line)}, nil
	}
	return e.else_.eval(st)
}

func (e *concatExpr) eval(st *State) (Value, error) {
	var b strings.Builder
	for _, p := range e.parts {
		v, err := p.eval(st)
		if err != nil {
			return nil, err
		}
		writeValue(&b, v)
	}
	return b.String(), nil
}

// numeric returns v as int64 or float64; bools count as ints as in Python.
func numeric(v Value) (Value, bool) {
	switch x := v.(type) {
	case int64, float64:
		return x, true
	case bool:
		if x {
			return int64(1), true
		}
		return int64(0), true
	case int:
		return int64(x), true
	case float32:
		return float64(x), true
	case int32:
		return int64(x), true
	case uint, uint32, uint64, int16, int8, uint8, uint16:
		return normalize(v), true
	}
	return nil, false
}

func toFloat(v Value) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m != 0 && ((m < 0) != (b < 0)) {
		m += b
	}
	return m
}

func pyFmod(a, b float64) float64 {
	m := math.Mod(a, b)
	if m != 0 && ((m < 0) != (b < 0)) {
		m += b
	}
	return m
}

func unsupported(op string, l, r Value) error {
	return fmt.Errorf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(l), typeName(r))
}

func binop(op string, l, r Value) (Value, error) {
	ln, lok := numeric(l)
	rn, rok := numeric(r)
	if lok && rok {
		li, lInt := ln.(int64)
		ri, rInt := rn.(int64)
		if lInt && rInt {
			switch op {
			case "+":
				return li + ri, nil
			case "-":
				return li - ri, nil
			case "*":
				return li * ri, nil
			case "/":
				if ri == 0 {
					return nil, errors.New("division by zero")
				}
				return float64(li) / float64(ri), nil
			case "//":
				if ri == 0 {
					return nil, errors.New("integer division or modulo by zero")
				}
				return floorDiv(li, ri), nil
			case "%":
				if ri == 0 {
					return nil, errors.New("integer division or modulo by zero")
				}
				return floorMod(li, ri), nil
			case "**":
				if ri < 0 {
					return math.Pow(float64(li), float64(ri)), nil
				}
				res := int64(1)
				b := li
				for e := ri; e > 0; e >>= 1 {
					if e&1 == 1 {
						res *= b
					}
					b *= b
				}
				return res, nil
			}
		}
		a, b := toFloat(ln), toFloat(rn)
		switch op {
		case "+":
			return a + b, nil
		case "-":
			return a - b, nil
		case "*":
			return a * b, nil
		case "/":
			if b == 0 {
				return nil, errors.New("float division by zero")
			}
			return a / b, nil
		case "//":
			if b == 0 {
				return nil, errors.New("float floor division by zero")
			}
			return math.Floor(a / b), nil
		case "%":
			if b == 0 {
				return nil, errors.New("float modulo")
			}
			return pyFmod(a, b), nil
		case "**":
			return math.Pow(a, b), nil
		}
	}
	switch op {
	case "+":
		switch x := l.(type) {
		case string:
			if y, ok := r.(string); ok {
				return x + y, nil
			}
		case *List:
			if y, ok := r.(*List); ok && x.Tuple == y.Tuple {
				items := make([]Value, 0, len(x.Items)+len(y.Items))
				items = append(items, x.Items...)
				items = append(items, y.Items...)
				return &List{Items: items, Tuple: x.Tuple}, nil
			}
		}
		if msg, ok := concatMismatch(l, r); ok {
			return nil, errors.New(msg)
		}
	case "*":
		if n, ok := r.(int64); ok {
			if v, ok := repeat(l, n); ok {
				return v, nil
			}
		}
		if n, ok := l.(int64); ok {
			if v, ok := repeat(r, n); ok {
				return v, nil
			}
		}
	case "%":
		if s, ok := l.(string); ok {
			return percentFormat(s, r)
		}
	}
	return nil, unsupported(op, l, r)
}

func concatMismatch(l, r Value) (string, bool) {
	switch l.(type) {
	case string:
		return fmt.Sprintf("can only concatenate str (not \"%s\") to str", typeName(r)), true
	case *List:
		return fmt.Sprintf("can only concatenate %s (not \"%s\") to %s", typeName(l), typeName(r), typeName(l)), true
	}
	return "", false
}

func repeat(v Value, n int64) (Value, bool) {
	if n < 0 {
		n = 0
	}
	switch x := v.(type) {
	case string:
		if int64(len(x))*n > 1<<26 {
			return nil, false
		}
		return strings.Repeat(x, int(n)), true
	case *List:
		if int64(len(x.Items))*n > 1<<22 {
			return nil, false
		}
		out := &List{Tuple: x.Tuple}
		for i := int64(0); i < n; i++ {
			out.Items = append(out.Items, x.Items...)
		}
		return out, true
	}
	return nil, false
}

// equal is Python ==.
func equal(a, b Value) bool {
	an, aok := numeric(a)
	bn, bok := numeric(b)
	if aok && bok {
		ai, aInt := an.(int64)
		bi, bInt := bn.(int64)
		if aInt && bInt {
			return ai == bi
		}
		return toFloat(an) == toFloat(bn)
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case *List:
		y, ok := b.(*List)
		if !ok || x.Tuple != y.Tuple || len(x.Items) != len(y.Items) {
			return false
		}
		for i := range x.Items {
			if !equal(x.Items[i], y.Items[i]) {
				return false
			}
		}
		return true
	case *Dict:
		y, ok := b.(*Dict)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i, k := range x.keys {
			v, ok := y.Get(k)
			if !ok || !equal(x.vals[i], v) {
				return false
			}
		}
		return true
	case Undefined:
		_, ok := b.(Undefined)
		return ok
	}
	defer func() { recover() }()
	return a == b
}

// less is Python <; incomparable types are an error as in Python 3.
func less(a, b Value) (bool, error) {
	an, aok := numeric(a)
	bn, bok := numeric(b)
	if aok && bok {
		ai, aInt := an.(int64)
		bi, bInt := bn.(int64)
		if aInt && bInt {
			return ai < bi, nil
		}
		return toFloat(an) < toFloat(bn), nil
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return x < y, nil
		}
	case *List:
		if y, ok := b.(*List); ok && x.Tuple == y.Tuple {
			for i := 0; i < len(x.Items) && i < len(y.Items); i++ {
				if equal(x.Items[i], y.Items[i]) {
					continue
				}
				return less(x.Items[i], y.Items[i])
			}
			return len(x.Items) < len(y.Items), nil
		}
	}
	return false, fmt.Errorf("'<' not supported between instances of '%s' and '%s'", typeName(a), typeName(b))
}

func compare(op string, l, r Value) (bool, error) {
	switch op {
	case "==":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	case "<":
		return orderErr(op, l, r, func() (bool, error) { return less(l, r) })
	case ">":
		return orderErr(op, l, r, func() (bool, error) { return less(r, l) })
	case "<=":
		return orderErr(op, l, r, func() (bool, error) {
			lt, err := less(l, r)
			return lt || err == nil && equal(l, r), err
		})
	case ">=":
		return orderErr(op, l, r, func() (bool, error) {
			lt, err := less(r, l)
			return lt || err == nil && equal(l, r), err
		})
	case "in":
		return contains2(r, l)
	case "notin":
		ok, err := contains2(r, l)
		return !ok, err
	}
	return false, fmt.Errorf("unknown operator %s", op)
}

func orderErr(op string, l, r Value, f func() (bool, error)) (bool, error) {
	ok, err := f()
	if err != nil {
		return false, fmt.Errorf("'%s' not supported between instances of '%s' and '%s'", op, typeName(l), typeName(r))
	}
	return ok, nil
}

// contains2 is Python's `needle in container`.
func contains2(container, needle Value) (bool, error) {
	switch c := container.(type) {
	case string:
		n, ok := needle.(string)
		if !ok {
			return false, fmt.Errorf("'in <string>' requires string as left operand, not %s", typeName(needle))
		}
		return strings.Contains(c, n), nil
	case *List:
		for _, it := range c.Items {
			if equal(it, needle) {
				return true, nil
			}
		}
		return false, nil
	case *Dict:
		if !isHashable(needle) {
			return false, fmt.Errorf("unhashable type: '%s'", typeName(needle))
		}
		_, ok := c.Get(needle)
		return ok, nil
	case Undefined:
		return false, nil
	case pyRange:
		return contains2(&List{Items: c.items()}, needle)
	}
	switch n := normalize(container).(type) {
	case *List, *Dict:
		return contains2(n, needle)
	}
	return false, fmt.Errorf("argument of type '%s' is not iterable", typeName(container))
}
