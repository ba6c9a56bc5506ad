package jinja

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/flosch/pongo2/v6"
)

var registerOnce sync.Once

// registerTags installs the gm_* tags with pongo2 (process-wide, once).
func registerTags() {
	registerOnce.Do(func() {
		reg := map[string]pongo2.TagParser{
			"gm_root":     parseRootTag,
			"gm_run":      parseRunTag,
			"gm_if":       parseIfTag,
			"gm_for":      parseForTag,
			"gm_setblock": parseSetBlockTag,
			"gm_macro":    parseMacroTag,
			"gm_call":     parseCallTag,
			"gm_filter":   parseFilterTag,
			"gm_with":     parseWithTag,
			"gm_block":    parseBlockTag,
		}
		for name, fn := range reg {
			if err := pongo2.RegisterTag(name, fn); err != nil {
				panic(fmt.Sprintf("jinja: registering pongo2 tag %s: %v", name, err))
			}
		}
	})
}

// outWriter is the pongo2.TemplateWriter of a render: it appends to the
// State's output buffer and carries the State to the gm_* nodes, which
// therefore need nothing from pongo2's context maps.
type outWriter struct{ st *State }

func (w *outWriter) Write(p []byte) (int, error) {
	w.st.out = append(w.st.out, p...)
	return len(p), nil
}

func (w *outWriter) WriteString(s string) (int, error) {
	w.st.out = append(w.st.out, s...)
	return len(s), nil
}

// stateOf returns the State of the render a node runs in. Every writer
// the engine hands pongo2 is the State's own outWriter.
func stateOf(w pongo2.TemplateWriter) *State {
	return w.(*outWriter).st
}

func wrapErr(err error) *pongo2.Error {
	return &pongo2.Error{Sender: "gmodel/jinja", OrigError: err}
}

// pieceIndex reads the piece index argument of a gm_* tag and finds the
// skeleton under construction that the tag's template is named after.
func pieceIndex(args *pongo2.Parser) (*build, int, *pongo2.Error) {
	t := args.MatchType(pongo2.TokenNumber)
	if t == nil {
		return nil, 0, args.Error("internal: gm tag without piece index", nil)
	}
	idx, _ := strconv.Atoi(t.Val)
	b := lookupBuild(t.Filename)
	if b == nil || idx < 0 || idx >= len(b.sk.bodies) {
		return nil, 0, args.Error("internal: unknown gm build/piece", nil)
	}
	return b, idx, nil
}

func wrapUntil(doc *pongo2.Parser, names ...string) (*pongo2.NodeWrapper, *pongo2.Error) {
	w, _, err := doc.WrapUntilTag(names...)
	return w, err
}

// writeOut writes v to the render output as Jinja prints it (ToString,
// without the intermediate string where it can).
func writeOut(st *State, v Value) {
	switch x := v.(type) {
	case string:
		st.out = append(st.out, x...)
	case int64:
		st.out = strconv.AppendInt(st.out, x, 10)
	case Undefined:
	case *List:
		st.out = append(st.out, ToString(v)...)
	case Appender:
		st.out = x.AppendTo(st.out)
	case fmt.Stringer:
		st.out = append(st.out, x.String()...)
	default:
		st.out = append(st.out, ToString(v)...)
	}
}

// ---- gm_root: the whole document, so Render can run it with our writer.

type rootNode struct{}

func (rootNode) Execute(*pongo2.ExecutionContext, pongo2.TemplateWriter) *pongo2.Error { return nil }

func parseRootTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	b := lookupBuild(start.Filename)
	if b == nil {
		return nil, args.Error("internal: unknown gm build", nil)
	}
	w, err := wrapUntil(doc, "gm_endroot")
	if err != nil {
		return nil, err
	}
	b.sk.root = w
	return rootNode{}, nil
}

// ---- gm_run: a run of leaf statements executed in order.

type runNode struct{ idx int }

func (n *runNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(w)
	for _, s := range st.u.pieces[n.idx].run {
		if err := execLeaf(st, s); err != nil {
			return err
		}
	}
	return nil
}

// breakErr and continueErr carry break and continue up to their loop; they
// are only ever read, so every render shares them.
var (
	breakErr    = wrapErr(loopSignal{isBreak: true})
	continueErr = wrapErr(loopSignal{isBreak: false})
)

func execLeaf(st *State, s stmt) *pongo2.Error {
	switch s := s.(type) {
	case *textStmt:
		st.out = append(st.out, s.text...)
	case *outputStmt:
		if c, ok := s.x.(*callExpr); ok {
			if err := c.print(st, nil); err != nil {
				return wrapErr(err)
			}
			return nil
		}
		v, err := s.x.eval(st)
		if err != nil {
			return wrapErr(err)
		}
		writeOut(st, v)
	case *setStmt:
		v, err := s.x.eval(st)
		if err != nil {
			return wrapErr(err)
		}
		if err := bindTarget(st, st.sc, s.target, v); err != nil {
			return wrapErr(err)
		}
	case *doStmt:
		if _, err := s.x.eval(st); err != nil {
			return wrapErr(err)
		}
	case *loopCtlStmt:
		if s.isBreak {
			return breakErr
		}
		return continueErr
	}
	return nil
}

func parseRunTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	_, idx, err := pieceIndex(args)
	if err != nil {
		return nil, err
	}
	return &runNode{idx: idx}, nil
}

// ---- gm_if

type ifNode struct {
	idx    int
	bodies []*pongo2.NodeWrapper
	els    *pongo2.NodeWrapper
}

func (n *ifNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(w)
	for i, c := range st.u.pieces[n.idx].s.(*ifStmt).conds {
		v, err := c.eval(st)
		if err != nil {
			return wrapErr(err)
		}
		if IsTrue(v) {
			return n.bodies[i].Execute(ctx, w)
		}
	}
	if n.els != nil {
		return n.els.Execute(ctx, w)
	}
	return nil
}

func parseIfTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	_, idx, err := pieceIndex(args)
	if err != nil {
		return nil, err
	}
	n := &ifNode{idx: idx}
	for {
		w, err := wrapUntil(doc, "gm_elif", "gm_else", "gm_endif")
		if err != nil {
			return nil, err
		}
		n.bodies = append(n.bodies, w)
		if w.Endtag == "gm_elif" {
			continue
		}
		if w.Endtag == "gm_else" {
			if n.els, err = wrapUntil(doc, "gm_endif"); err != nil {
				return nil, err
			}
		}
		return n, nil
	}
}

// ---- gm_for

type forNode struct {
	idx  int
	body *pongo2.NodeWrapper
	els  *pongo2.NodeWrapper
}

func (n *forNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(w)
	s := st.u.pieces[n.idx].s.(*forStmt)
	v, err := s.iter.eval(st)
	if err != nil {
		return wrapErr(err)
	}
	saved := st.sc
	completed, perr := n.run(st, s, ctx, w, v, saved, 1)
	st.sc = saved
	if perr != nil {
		return perr
	}
	// Jinja runs the else block unless some iteration ran to its end:
	// an iteration cut short by break or continue does not count.
	if !completed && n.els != nil {
		return n.els.Execute(ctx, w)
	}
	return nil
}

// run iterates over v at the given depth (recursive loops call it again
// through loop(...)), with a fresh scope per iteration under parent.
func (n *forNode) run(st *State, s *forStmt, ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter, v Value, parent *scope, depth int) (bool, *pongo2.Error) {
	items, err := iterate(v)
	if err != nil {
		return false, wrapErr(st.errAt(s.iter.position(), "%s", err))
	}
	sc := st.newScope(parent)
	defer st.freeScope(sc)
	st.sc = sc
	if s.cond != nil {
		var kept []Value
		for _, it := range items {
			sc.reset()
			if err := bindTarget(st, sc, s.target, it); err != nil {
				return false, wrapErr(err)
			}
			c, err := s.cond.eval(st)
			if err != nil {
				return false, wrapErr(err)
			}
			if IsTrue(c) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	var lp *loopObj
	if s.usesLoop || s.recursive {
		lp = &loopObj{items: items, depth: depth}
		if s.recursive {
			parent.capture()
			u := st.u
			lp.recurse = func(v Value) (Value, error) {
				if st.depth >= maxDepth {
					return nil, fmt.Errorf("maximum recursion depth exceeded")
				}
				savedSc, savedU := st.sc, st.u
				st.depth++
				st.u = u
				start := len(st.out)
				_, perr := n.run(st, s, ctx, w, v, parent, depth+1)
				out := st.take(start, perr)
				st.depth--
				st.sc, st.u = savedSc, savedU
				if perr != nil {
					return nil, unwrapPongo(perr)
				}
				return out, nil
			}
		}
	}
	completed := false
	for i, it := range items {
		sc.reset()
		if err := bindTarget(st, sc, s.target, it); err != nil {
			return false, wrapErr(err)
		}
		if lp != nil {
			lp.index0 = i
			sc.set("loop", lp)
		}
		if perr := n.body.Execute(ctx, w); perr != nil {
			if sig, ok := perr.OrigError.(loopSignal); ok {
				if sig.isBreak {
					break
				}
				continue
			}
			return false, perr
		}
		completed = true
	}
	return completed, nil
}

func parseForTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	_, idx, err := pieceIndex(args)
	if err != nil {
		return nil, err
	}
	n := &forNode{idx: idx}
	w, err := wrapUntil(doc, "gm_forelse", "gm_endfor")
	if err != nil {
		return nil, err
	}
	n.body = w
	if w.Endtag == "gm_forelse" {
		n.els, err = wrapUntil(doc, "gm_endfor")
		if err != nil {
			return nil, err
		}
	}
	return n, nil
}

// bindTarget assigns v to a for/set/with target, unpacking tuples.
func bindTarget(st *State, sc *scope, t target, v Value) error {
	if t.items == nil {
		if t.attr != "" {
			obj, _ := st.Lookup(t.name)
			ns, ok := obj.(*Namespace)
			if !ok {
				return st.errAt(t.p, "cannot assign attribute on non-namespace object")
			}
			ns.Setattr(t.attr, v)
			return nil
		}
		sc.set(t.name, v)
		return nil
	}
	items, err := iterate(v)
	if err != nil {
		return st.errAt(t.p, "cannot unpack non-iterable %s object", typeName(v))
	}
	if len(items) != len(t.items) {
		if len(items) > len(t.items) {
			return st.errAt(t.p, "too many values to unpack (expected %d)", len(t.items))
		}
		return st.errAt(t.p, "not enough values to unpack (expected %d, got %d)", len(t.items), len(items))
	}
	for i, sub := range t.items {
		if err := bindTarget(st, sc, sub, items[i]); err != nil {
			return err
		}
	}
	return nil
}

// loopObj is the `loop` variable of a for loop.
type loopObj struct {
	items       []Value
	index0      int
	depth       int
	recurse     func(Value) (Value, error) // set for recursive loops
	lastChanged []Value
	changedSet  bool
}

// CallJinja implements loop(...) of recursive loops.
func (l *loopObj) CallJinja(c *Call) (Value, error) {
	if l.recurse == nil {
		return nil, fmt.Errorf("Tried to call non recursive loop. Maybe you forgot the 'recursive' modifier.")
	}
	if len(c.Args) != 1 {
		return nil, fmt.Errorf("loop() takes exactly one argument")
	}
	return l.recurse(c.Args[0])
}

func (l *loopObj) Getattr(name string) (Value, bool) {
	n := len(l.items)
	i := l.index0
	switch name {
	case "index":
		return int64(i + 1), true
	case "index0":
		return int64(i), true
	case "revindex":
		return int64(n - i), true
	case "revindex0":
		return int64(n - i - 1), true
	case "first":
		return i == 0, true
	case "last":
		return i == n-1, true
	case "length":
		return int64(n), true
	case "depth":
		return int64(l.depth), true
	case "depth0":
		return int64(l.depth - 1), true
	case "previtem":
		if i > 0 {
			return l.items[i-1], true
		}
		return Undefined{Name: "previtem", msg: "there is no previous item"}, true
	case "nextitem":
		if i+1 < n {
			return l.items[i+1], true
		}
		return Undefined{Name: "nextitem", msg: "there is no next item"}, true
	case "cycle":
		return Func(func(c *Call) (Value, error) {
			if len(c.Args) == 0 {
				return nil, fmt.Errorf("no items for cycling given")
			}
			return c.Args[i%len(c.Args)], nil
		}), true
	case "changed":
		return Func(func(c *Call) (Value, error) {
			if l.changedSet && equal(&List{Items: l.lastChanged}, &List{Items: c.Args}) {
				return false, nil
			}
			l.lastChanged, l.changedSet = c.Args, true
			return true, nil
		}), true
	}
	return nil, false
}

// ---- gm_setblock

// captureFiltered renders body and passes the output through filters, for
// `{% set x | f %}...{% endset %}` and `{% filter f %}...{% endfilter %}`.
func (st *State) captureFiltered(body *pongo2.NodeWrapper, filters []*filterExpr) (Value, *pongo2.Error) {
	out, perr := st.capture(body)
	if perr != nil {
		return nil, perr
	}
	var v Value = out
	for _, f := range filters {
		var err error
		if v, err = f.apply(st, v); err != nil {
			return nil, wrapErr(err)
		}
	}
	return v, nil
}

type setBlockNode struct {
	idx  int
	body *pongo2.NodeWrapper
}

func (n *setBlockNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(w)
	s := st.u.pieces[n.idx].s.(*setBlockStmt)
	v, perr := st.captureFiltered(n.body, s.filters)
	if perr != nil {
		return perr
	}
	if err := bindTarget(st, st.sc, s.target, v); err != nil {
		return wrapErr(err)
	}
	return nil
}

// parseBodyTag returns the parser of a block tag whose node is made by mk
// from its piece index and body.
func parseBodyTag(end string, mk func(b *build, idx int, body *pongo2.NodeWrapper) pongo2.INodeTag) pongo2.TagParser {
	return func(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
		b, idx, err := pieceIndex(args)
		if err != nil {
			return nil, err
		}
		w, err := wrapUntil(doc, end)
		if err != nil {
			return nil, err
		}
		return mk(b, idx, w), nil
	}
}

var (
	parseSetBlockTag = parseBodyTag("gm_endsetblock", func(_ *build, idx int, body *pongo2.NodeWrapper) pongo2.INodeTag {
		return &setBlockNode{idx: idx, body: body}
	})
	parseMacroTag = parseBodyTag("gm_endmacro", func(b *build, idx int, body *pongo2.NodeWrapper) pongo2.INodeTag {
		b.sk.bodies[idx] = body
		return &macroNode{idx: idx}
	})
	parseCallTag = parseBodyTag("gm_endcall", func(_ *build, idx int, body *pongo2.NodeWrapper) pongo2.INodeTag {
		return &callNode{idx: idx, body: body}
	})
	parseFilterTag = parseBodyTag("gm_endfilter", func(_ *build, idx int, body *pongo2.NodeWrapper) pongo2.INodeTag {
		return &filterNode{idx: idx, body: body}
	})
	parseWithTag = parseBodyTag("gm_endwith", func(_ *build, idx int, body *pongo2.NodeWrapper) pongo2.INodeTag {
		return &withNode{idx: idx, body: body}
	})
	parseBlockTag = parseBodyTag("gm_endblock", func(b *build, idx int, body *pongo2.NodeWrapper) pongo2.INodeTag {
		b.sk.bodies[idx] = body
		return blockNode{}
	})
)

// ---- gm_macro: binds the macro's name where it stands; the Macro got its
// body when its unit was bound to the skeleton.

type macroNode struct{ idx int }

func (n *macroNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(w)
	m := st.u.pieces[n.idx].s.(*macroStmt).m
	if st.sc != st.root {
		// Defined inside a block: close over the enclosing scope.
		c := *m
		c.scope = st.sc
		st.sc.capture()
		m = &c
	}
	st.sc.set(m.Name, m)
	return nil
}

// ---- gm_call

type callNode struct {
	idx  int
	body *pongo2.NodeWrapper
}

func (n *callNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(w)
	s := st.u.pieces[n.idx].s.(*callBlockStmt)
	caller := *s.caller
	caller.scope = st.sc
	st.sc.capture()
	caller.body = n.body
	caller.unit = st.u
	if err := s.call.print(st, &caller); err != nil {
		return wrapErr(err)
	}
	return nil
}

// ---- gm_filter

type filterNode struct {
	idx  int
	body *pongo2.NodeWrapper
}

func (n *filterNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(w)
	s := st.u.pieces[n.idx].s.(*filterBlockStmt)
	v, perr := st.captureFiltered(n.body, s.filters)
	if perr != nil {
		return perr
	}
	writeOut(st, v)
	return nil
}

// ---- gm_with

type withNode struct {
	idx  int
	body *pongo2.NodeWrapper
}

func (n *withNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(w)
	s := st.u.pieces[n.idx].s.(*withStmt)
	saved := st.sc
	sc := st.newScope(saved)
	defer st.freeScope(sc)
	for i, x := range s.values {
		v, err := x.eval(st)
		if err != nil {
			return wrapErr(err)
		}
		if err := bindTarget(st, sc, s.targets[i], v); err != nil {
			return wrapErr(err)
		}
	}
	st.sc = sc
	perr := n.body.Execute(ctx, w)
	st.sc = saved
	return perr
}

// ---- gm_block: dbt blocks print nothing where they stand.

type blockNode struct{}

func (blockNode) Execute(*pongo2.ExecutionContext, pongo2.TemplateWriter) *pongo2.Error { return nil }
