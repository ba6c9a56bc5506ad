package jinja

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/flosch/pongo2/v6"
)

// stateKey is the one pongo2 context key we use: the running *State.
const stateKey = "_gm"

var registerOnce sync.Once

// registerTags installs the gm_* tags with pongo2 (process-wide, once).
func registerTags() {
	registerOnce.Do(func() {
		reg := map[string]pongo2.TagParser{
			"gm_root":     parseRootTag,
			"gm_text":     parseTextTag,
			"gm_run":      parseRunTag,
			"gm_out":      parseOutTag,
			"gm_if":       parseIfTag,
			"gm_for":      parseForTag,
			"gm_set":      parseSetTag,
			"gm_setblock": parseSetBlockTag,
			"gm_macro":    parseMacroTag,
			"gm_call":     parseCallTag,
			"gm_filter":   parseFilterTag,
			"gm_with":     parseWithTag,
			"gm_do":       parseDoTag,
			"gm_break":    parseLoopCtlTag(true),
			"gm_continue": parseLoopCtlTag(false),
			"gm_block":    parseBlockTag,
		}
		for name, fn := range reg {
			if err := pongo2.RegisterTag(name, fn); err != nil {
				panic(fmt.Sprintf("jinja: registering pongo2 tag %s: %v", name, err))
			}
		}
	})
}

func stateOf(ctx *pongo2.ExecutionContext) *State {
	return ctx.Public[stateKey].(*State)
}

func wrapErr(err error) *pongo2.Error {
	return &pongo2.Error{Sender: "gmodel/jinja", OrigError: err}
}

// piece resolves the piece index argument of a gm_* tag in the unit the
// tag's template is named after.
func piece(doc *pongo2.Parser, args *pongo2.Parser) (*unit, any, *pongo2.Error) {
	b := args.MatchType(pongo2.TokenNumber)
	if b == nil {
		return nil, nil, args.Error("internal: gm tag without piece index", nil)
	}
	idx, _ := strconv.Atoi(b.Val)
	u := lookupUnit(b.Filename)
	if u == nil || idx < 0 || idx >= len(u.pieces) {
		return nil, nil, args.Error("internal: unknown gm unit/piece", nil)
	}
	return u, u.pieces[idx], nil
}

func wrapUntil(doc *pongo2.Parser, names ...string) (*pongo2.NodeWrapper, *pongo2.Error) {
	w, _, err := doc.WrapUntilTag(names...)
	return w, err
}

// writeValue writes v as Jinja prints it.
func writeOut(w pongo2.TemplateWriter, v Value) {
	switch x := v.(type) {
	case string:
		w.WriteString(x)
	case int64:
		var buf [24]byte
		w.Write(strconv.AppendInt(buf[:0], x, 10))
	case Undefined:
	default:
		w.WriteString(ToString(v))
	}
}

// ---- gm_root: the whole document, so Render can run it with our writer.

type rootNode struct{}

func (rootNode) Execute(*pongo2.ExecutionContext, pongo2.TemplateWriter) *pongo2.Error { return nil }

func parseRootTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	u, _, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	w, err := wrapUntil(doc, "gm_endroot")
	if err != nil {
		return nil, err
	}
	u.root = w
	return rootNode{}, nil
}

// ---- gm_text

type textNode struct{ s string }

func (n *textNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	w.WriteString(n.s)
	return nil
}

func parseTextTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	_, p, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	return &textNode{s: p.(string)}, nil
}

// ---- gm_run: a run of leaf statements executed in order.

type runNode struct{ steps []pongo2.INode }

func (n *runNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	for _, s := range n.steps {
		if err := s.Execute(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

func parseRunTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	_, p, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	body := p.([]stmt)
	n := &runNode{steps: make([]pongo2.INode, len(body))}
	for i, s := range body {
		switch s := s.(type) {
		case *textStmt:
			n.steps[i] = &textNode{s: s.text}
		case *outputStmt:
			if c, ok := s.x.(*constExpr); ok {
				n.steps[i] = &textNode{s: ToString(c.v)}
			} else {
				n.steps[i] = &outNode{x: s.x}
			}
		case *setStmt:
			n.steps[i] = &setNode{s: s}
		case *doStmt:
			n.steps[i] = &doNode{x: s.x}
		default:
			return nil, args.Error("internal: non-leaf statement in gm_run", nil)
		}
	}
	return n, nil
}

// ---- gm_out

type outNode struct{ x expr }

func (n *outNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	v, err := n.x.eval(stateOf(ctx))
	if err != nil {
		return wrapErr(err)
	}
	writeOut(w, v)
	return nil
}

func parseOutTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	_, p, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	return &outNode{x: p.(*outputStmt).x}, nil
}

// ---- gm_if

type ifNode struct {
	conds  []expr
	bodies []*pongo2.NodeWrapper
	els    *pongo2.NodeWrapper
}

func (n *ifNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(ctx)
	for i, c := range n.conds {
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
	_, p, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	s := p.(*ifStmt)
	n := &ifNode{conds: s.conds}
	for {
		w, err := wrapUntil(doc, "gm_elif", "gm_else", "gm_endif")
		if err != nil {
			return nil, err
		}
		switch w.Endtag {
		case "gm_elif":
			n.bodies = append(n.bodies, w)
			continue
		case "gm_else":
			n.bodies = append(n.bodies, w)
			els, err := wrapUntil(doc, "gm_endif")
			if err != nil {
				return nil, err
			}
			n.els = els
		default:
			n.bodies = append(n.bodies, w)
		}
		if len(n.bodies) != len(n.conds) {
			return nil, doc.Error("internal: if branches do not match conditions", start)
		}
		return n, nil
	}
}

// ---- gm_for

type forNode struct {
	s        *forStmt
	body     *pongo2.NodeWrapper
	els      *pongo2.NodeWrapper
	usesLoop bool
}

func (n *forNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(ctx)
	v, err := n.s.iter.eval(st)
	if err != nil {
		return wrapErr(err)
	}
	saved := st.sc
	defer func() { st.sc = saved }()
	completed, perr := n.run(st, ctx, w, v, saved, 1)
	if perr != nil {
		return perr
	}
	// Jinja runs the else block unless some iteration ran to its end:
	// an iteration cut short by break or continue does not count.
	if !completed && n.els != nil {
		st.sc = saved
		return n.els.Execute(ctx, w)
	}
	return nil
}

// run iterates over v at the given depth (recursive loops call it again
// through loop(...)), with a fresh scope per iteration under parent.
func (n *forNode) run(st *State, ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter, v Value, parent *scope, depth int) (bool, *pongo2.Error) {
	items, err := iterate(v)
	if err != nil {
		return false, wrapErr(st.errAt(n.s.iter.position(), "%s", err))
	}
	sc := &scope{parent: parent}
	st.sc = sc
	if n.s.cond != nil {
		var kept []Value
		for _, it := range items {
			sc.reset()
			if err := bindTarget(st, sc, n.s.target, it); err != nil {
				return false, wrapErr(err)
			}
			c, err := n.s.cond.eval(st)
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
	if n.usesLoop {
		lp = &loopObj{items: items, depth: depth}
		if n.s.recursive {
			lp.recurse = func(v Value) (Value, error) {
				if st.depth >= maxDepth {
					return nil, fmt.Errorf("maximum recursion depth exceeded")
				}
				var b strings.Builder
				savedSc := st.sc
				st.depth++
				_, perr := n.run(st, ctx, &b, v, parent, depth+1)
				st.depth--
				st.sc = savedSc
				if perr != nil {
					return nil, unwrapPongo(perr)
				}
				return b.String(), nil
			}
		}
	}
	completed := false
	for i, it := range items {
		sc.reset()
		if err := bindTarget(st, sc, n.s.target, it); err != nil {
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
	_, p, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	s := p.(*forStmt)
	n := &forNode{s: s, usesLoop: s.recursive}
	walkStmts(s.body, func(x expr) {
		if nm, ok := x.(*nameExpr); ok && nm.name == "loop" {
			n.usesLoop = true
		}
	})
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

// ---- gm_set

type setNode struct{ s *setStmt }

func (n *setNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(ctx)
	v, err := n.s.x.eval(st)
	if err != nil {
		return wrapErr(err)
	}
	if err := bindTarget(st, st.sc, n.s.target, v); err != nil {
		return wrapErr(err)
	}
	return nil
}

func parseSetTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	_, p, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	return &setNode{s: p.(*setStmt)}, nil
}

// ---- gm_setblock

type setBlockNode struct {
	s    *setBlockStmt
	body *pongo2.NodeWrapper
}

func (n *setBlockNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(ctx)
	var b strings.Builder
	if perr := n.body.Execute(ctx, &b); perr != nil {
		return perr
	}
	var v Value = b.String()
	for _, f := range n.s.filters {
		var err error
		if v, err = f.apply(st, v); err != nil {
			return wrapErr(err)
		}
	}
	if err := bindTarget(st, st.sc, n.s.target, v); err != nil {
		return wrapErr(err)
	}
	return nil
}

func parseSetBlockTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	_, p, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	w, err := wrapUntil(doc, "gm_endsetblock")
	if err != nil {
		return nil, err
	}
	return &setBlockNode{s: p.(*setBlockStmt), body: w}, nil
}

// ---- gm_macro

type macroNode struct{ m *Macro }

func (n *macroNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(ctx)
	m := n.m
	if st.sc != st.root {
		// Defined inside a block: close over the enclosing scope.
		c := *m
		c.scope = st.sc
		m = &c
	}
	st.sc.set(m.Name, m)
	return nil
}

func parseMacroTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	_, p, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	s := p.(*macroStmt)
	w, err := wrapUntil(doc, "gm_endmacro")
	if err != nil {
		return nil, err
	}
	s.m.body = w
	return &macroNode{m: s.m}, nil
}

// ---- gm_call

type callNode struct {
	s    *callBlockStmt
	body *pongo2.NodeWrapper
}

func (n *callNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(ctx)
	caller := *n.s.caller
	caller.scope = st.sc
	caller.body = n.body
	v, err := n.s.call.evalWith(st, &caller)
	if err != nil {
		return wrapErr(err)
	}
	writeOut(w, v)
	return nil
}

func parseCallTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	_, p, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	w, err := wrapUntil(doc, "gm_endcall")
	if err != nil {
		return nil, err
	}
	return &callNode{s: p.(*callBlockStmt), body: w}, nil
}

// ---- gm_filter

type filterNode struct {
	s    *filterBlockStmt
	body *pongo2.NodeWrapper
}

func (n *filterNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(ctx)
	var b strings.Builder
	if perr := n.body.Execute(ctx, &b); perr != nil {
		return perr
	}
	var v Value = b.String()
	for _, f := range n.s.filters {
		var err error
		if v, err = f.apply(st, v); err != nil {
			return wrapErr(err)
		}
	}
	writeOut(w, v)
	return nil
}

func parseFilterTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	_, p, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	w, err := wrapUntil(doc, "gm_endfilter")
	if err != nil {
		return nil, err
	}
	return &filterNode{s: p.(*filterBlockStmt), body: w}, nil
}

// ---- gm_with

type withNode struct {
	s    *withStmt
	body *pongo2.NodeWrapper
}

func (n *withNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	st := stateOf(ctx)
	saved := st.sc
	sc := &scope{parent: saved}
	for i, x := range n.s.values {
		v, err := x.eval(st)
		if err != nil {
			return wrapErr(err)
		}
		if err := bindTarget(st, sc, n.s.targets[i], v); err != nil {
			return wrapErr(err)
		}
	}
	st.sc = sc
	defer func() { st.sc = saved }()
	return n.body.Execute(ctx, w)
}

func parseWithTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	_, p, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	w, err := wrapUntil(doc, "gm_endwith")
	if err != nil {
		return nil, err
	}
	return &withNode{s: p.(*withStmt), body: w}, nil
}

// ---- gm_do

type doNode struct{ x expr }

func (n *doNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	if _, err := n.x.eval(stateOf(ctx)); err != nil {
		return wrapErr(err)
	}
	return nil
}

func parseDoTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	_, p, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	return &doNode{x: p.(*doStmt).x}, nil
}

// ---- gm_break / gm_continue

type loopCtlNode struct{ sig loopSignal }

func (n *loopCtlNode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	return wrapErr(n.sig)
}

func parseLoopCtlTag(isBreak bool) pongo2.TagParser {
	return func(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
		return &loopCtlNode{sig: loopSignal{isBreak: isBreak}}, nil
	}
}

// ---- gm_block: dbt blocks print nothing where they stand.

type blockNode struct{}

func (blockNode) Execute(*pongo2.ExecutionContext, pongo2.TemplateWriter) *pongo2.Error { return nil }

func parseBlockTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	u, p, err := piece(doc, args)
	if err != nil {
		return nil, err
	}
	s := p.(*blockStmt)
	w, err := wrapUntil(doc, "gm_endblock")
	if err != nil {
		return nil, err
	}
	if s.block.Kind != "docs" {
		s.block.Sub = &Template{File: u.file, env: u.env, root: w, body: s.body, unit: u}
	}
	return blockNode{}, nil
}
