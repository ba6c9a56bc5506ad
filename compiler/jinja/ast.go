package jinja

// The AST has two layers: expressions, evaluated by our own evaluator, and
// statements, which are emitted as pongo2 tags (see emit.go) so pongo2 builds
// and runs the block tree.

type expr interface {
	eval(st *State) (Value, error)
	position() pos
}

type (
	constExpr struct {
		p pos
		v Value
	}
	nameExpr struct {
		p    pos
		name string
	}
	listExpr struct {
		p     pos
		items []expr
		tuple bool
	}
	dictExpr struct {
		p          pos
		keys, vals []expr
	}
	getattrExpr struct {
		p    pos
		obj  expr
		name string
	}
	getitemExpr struct {
		p   pos
		obj expr
		key expr
	}
	sliceExpr struct {
		p                 pos
		obj               expr
		start, stop, step expr // nil when omitted
	}
	callExpr struct {
		p      pos
		fn     expr
		args   []expr
		kwargs []kwarg
		star   expr // *args
		dstar  expr // **kwargs
	}
	filterExpr struct {
		p      pos
		arg    expr // nil inside {% filter %} and {% set x | f %}
		name   string
		args   []expr
		kwargs []kwarg
		fn     Filter // resolved at parse time when known
	}
	testExpr struct {
		p      pos
		arg    expr
		name   string
		args   []expr
		negate bool
		fn     Test
	}
	binExpr struct {
		p    pos
		op   string
		l, r expr
	}
	unaryExpr struct {
		p  pos
		op string // "-", "+"
		x  expr
	}
	notExpr struct {
		p pos
		x expr
	}
	andExpr struct {
		p    pos
		l, r expr
	}
	orExpr struct {
		p    pos
		l, r expr
	}
	compareExpr struct {
		p     pos
		first expr
		ops   []string
		rest  []expr
	}
	condExpr struct {
		p           pos
		cond        expr
		then, else_ expr // else_ nil: undefined when false
	}
	concatExpr struct {
		p     pos
		parts []expr
	}
)

type kwarg struct {
	name string
	key  Value // name, boxed once at parse time
	x    expr
}

func (e *constExpr) position() pos   { return e.p }
func (e *nameExpr) position() pos    { return e.p }
func (e *listExpr) position() pos    { return e.p }
func (e *dictExpr) position() pos    { return e.p }
func (e *getattrExpr) position() pos { return e.p }
func (e *getitemExpr) position() pos { return e.p }
func (e *sliceExpr) position() pos   { return e.p }
func (e *callExpr) position() pos    { return e.p }
func (e *filterExpr) position() pos  { return e.p }
func (e *testExpr) position() pos    { return e.p }
func (e *binExpr) position() pos     { return e.p }
func (e *unaryExpr) position() pos   { return e.p }
func (e *notExpr) position() pos     { return e.p }
func (e *andExpr) position() pos     { return e.p }
func (e *orExpr) position() pos      { return e.p }
func (e *compareExpr) position() pos { return e.p }
func (e *condExpr) position() pos    { return e.p }
func (e *concatExpr) position() pos  { return e.p }

// target is the left side of an assignment or a for loop.
type target struct {
	p     pos
	name  string   // plain name, or the namespace variable for ns.attr
	attr  string   // non-empty for {% set ns.attr = ... %}
	items []target // tuple unpacking when non-nil
}

type stmt interface{}

type (
	textStmt struct {
		text string
	}
	outputStmt struct {
		x expr
	}
	ifStmt struct {
		p      pos
		conds  []expr
		bodies [][]stmt
		els    []stmt
		body1  [1][]stmt // bodies of an if without elif
	}
	forStmt struct {
		p         pos
		target    target
		iter      expr
		cond      expr
		recursive bool
		usesLoop  bool // the body mentions `loop`
		body      []stmt
		els       []stmt
	}
	setStmt struct {
		p      pos
		target target
		x      expr
	}
	setBlockStmt struct {
		p       pos
		target  target
		filters []*filterExpr
		body    []stmt
	}
	macroStmt struct {
		m    *Macro
		body []stmt
	}
	callBlockStmt struct {
		p      pos
		call   *callExpr
		caller *Macro
		body   []stmt
	}
	filterBlockStmt struct {
		p       pos
		filters []*filterExpr
		body    []stmt
	}
	withStmt struct {
		p       pos
		targets []target
		values  []expr
		body    []stmt
	}
	doStmt struct {
		x expr
	}
	loopCtlStmt struct {
		p       pos
		isBreak bool
	}
	// blockStmt is a dbt top-level block: docs, snapshot, materialization.
	// Rendering the enclosing template outputs nothing for it.
	blockStmt struct {
		block *Block
		body  []stmt
	}
)

// walkExprs calls fn for every expression in a statement tree, including
// nested ones, so analyses (free names, macro flags) see everything.
func walkStmts(body []stmt, fn func(expr)) {
	for _, s := range body {
		switch s := s.(type) {
		case *outputStmt:
			walkExpr(s.x, fn)
		case *ifStmt:
			for i, c := range s.conds {
				walkExpr(c, fn)
				walkStmts(s.bodies[i], fn)
			}
			walkStmts(s.els, fn)
		case *forStmt:
			walkExpr(s.iter, fn)
			walkExpr(s.cond, fn)
			walkStmts(s.body, fn)
			walkStmts(s.els, fn)
		case *setStmt:
			walkExpr(s.x, fn)
		case *setBlockStmt:
			for _, f := range s.filters {
				walkExpr(f, fn)
			}
			walkStmts(s.body, fn)
		case *macroStmt:
			for _, d := range s.m.defaults {
				walkExpr(d, fn)
			}
			walkStmts(s.body, fn)
		case *callBlockStmt:
			walkExpr(s.call, fn)
			walkStmts(s.body, fn)
		case *filterBlockStmt:
			for _, f := range s.filters {
				walkExpr(f, fn)
			}
			walkStmts(s.body, fn)
		case *withStmt:
			for _, v := range s.values {
				walkExpr(v, fn)
			}
			walkStmts(s.body, fn)
		case *doStmt:
			walkExpr(s.x, fn)
		case *blockStmt:
			walkStmts(s.body, fn)
		}
	}
}

func walkExpr(e expr, fn func(expr)) {
	if e == nil {
		return
	}
	fn(e)
	eachChild(e, func(c expr) { walkExpr(c, fn) })
}

// eachChild calls fn for the direct, non-nil sub-expressions of e.
func eachChild(e expr, fn func(expr)) {
	call := func(xs ...expr) {
		for _, x := range xs {
			if x != nil {
				fn(x)
			}
		}
	}
	switch e := e.(type) {
	case *listExpr:
		call(e.items...)
	case *dictExpr:
		for i := range e.keys {
			call(e.keys[i], e.vals[i])
		}
	case *getattrExpr:
		call(e.obj)
	case *getitemExpr:
		call(e.obj, e.key)
	case *sliceExpr:
		call(e.obj, e.start, e.stop, e.step)
	case *callExpr:
		call(e.fn)
		call(e.args...)
		for _, k := range e.kwargs {
			call(k.x)
		}
		call(e.star, e.dstar)
	case *filterExpr:
		call(e.arg)
		call(e.args...)
		for _, k := range e.kwargs {
			call(k.x)
		}
	case *testExpr:
		call(e.arg)
		call(e.args...)
	case *binExpr:
		call(e.l, e.r)
	case *unaryExpr:
		call(e.x)
	case *notExpr:
		call(e.x)
	case *andExpr:
		call(e.l, e.r)
	case *orExpr:
		call(e.l, e.r)
	case *compareExpr:
		call(e.first)
		call(e.rest...)
	case *condExpr:
		call(e.cond, e.then, e.else_)
	case *concatExpr:
		call(e.parts...)
	}
}
