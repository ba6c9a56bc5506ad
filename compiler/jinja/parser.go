package jinja

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// parser turns the token stream into our AST. Its grammar, precedence and
// error messages follow Jinja2's parser.py so that templates mean the same
// thing and fail with the same words.
type parser struct {
	file string
	src  string
	env  *Env
	toks []token
	strs []string // token values that are not pieces of src
	i    int

	tagStack []openTag
	endStack [][]string
	delim    *token // the '{{' or '{%' of the tag being parsed
	loops    int    // enclosing for loops inside the current macro
	nesting  int    // expression depth; bounded so hostile input cannot overflow the stack

	macros []*Macro
	blocks []*Block

	// Allocation: nodes come from per-type slabs and child lists are
	// built on shared stacks, then copied into exact-size slices carved
	// from one backing array, so a parse makes few, larger allocations.
	stmtStack []stmt
	exprStack []expr
	kwStack   []kwarg
	stmtSlab  []stmt
	exprSlab  []expr
	kwSlab    []kwarg
	chunk     int // the least chunk of stmtSlab and exprSlab
	specials  [numSpecials]int
	// unknownCallables counts filters and tests not found in the Env:
	// without any, checkCallables has nothing to report.
	unknownCallables int
	// pending is an operand parseLoneUnary parsed from token pendFrom up
	// to pendTo before finding an operator after it.
	pending          expr
	pendFrom, pendTo int
	texts            slab[textStmt]
	outputs          slab[outputStmt]
	names            slab[nameExpr]
	consts           slab[constExpr]
	calls            slab[callExpr]
	getattrs         slab[getattrExpr]
	lists            slab[listExpr]
	ifs              slab[ifStmt]
	fors             slab[forStmt]

	// ar holds the first chunks of the slabs and arrays, recycled from a
	// released template when one was. keepsNodes is set by what may
	// reach the nodes after a render (a macro, a {% call %} caller, a
	// recursive loop), which rules out recycling them.
	ar         *arena
	keepsNodes bool
}

// arena is the memory of a parse's first slab chunks and child arrays.
// A template whose nodes nothing outside it can reach hands its arena to
// the next parse when it is released (Template.Release), so a compile
// that parses and drops thousands of models reuses the same memory
// instead of allocating fresh memory for every one.
type arena struct {
	texts    []textStmt
	outputs  []outputStmt
	names    []nameExpr
	consts   []constExpr
	calls    []callExpr
	getattrs []getattrExpr
	lists    []listExpr
	ifs      []ifStmt
	fors     []forStmt
	stmts    []stmt
	exprs    []expr
	kws      []kwarg
	pieces   []piece
}

var arenaPool = sync.Pool{New: func() any { return new(arena) }}

// arenaMaxLen bounds the arrays an arena keeps, so one huge template does
// not pin its memory in the pool.
const arenaMaxLen = 1 << 12

// reset zeroes what the arena's template used (the nodes point at values
// and other nodes) and reports whether it is small enough to keep.
func (a *arena) reset() bool {
	clear(a.texts)
	clear(a.outputs)
	clear(a.names)
	clear(a.consts)
	clear(a.calls)
	clear(a.getattrs)
	clear(a.lists)
	clear(a.ifs)
	clear(a.fors)
	clear(a.stmts)
	clear(a.exprs)
	clear(a.kws)
	clear(a.pieces)
	for _, n := range [...]int{cap(a.texts), cap(a.outputs), cap(a.names), cap(a.consts), cap(a.calls), cap(a.getattrs),
		cap(a.lists), cap(a.ifs), cap(a.fors), cap(a.stmts), cap(a.exprs), cap(a.kws), cap(a.pieces)} {
		if n > arenaMaxLen {
			return false
		}
	}
	return true
}

// arenaSlice returns n elements of *keep, growing it when it is shorter;
// *keep's length records what the template uses, for reset.
func arenaSlice[T any](keep *[]T, n int) []T {
	if cap(*keep) < n {
		*keep = make([]T, n)
	}
	*keep = (*keep)[:n]
	return *keep
}

// slab hands out pointers into chunks of T, one allocation per chunk.
// Chunks start at the size the parser estimates and double from there.
type slab[T any] struct {
	free []T
	next int
}

// start sizes the slab's first chunk at n elements from *keep (see
// arenaSlice); for n < 1 the first chunk is made on first use.
func (s *slab[T]) start(keep *[]T, n int) {
	if n < 1 {
		s.next = n
		return
	}
	s.free = arenaSlice(keep, n)
	s.next = min(2*n, 256)
}

func (s *slab[T]) new() *T {
	if len(s.free) == 0 {
		n := s.next
		if n < 1 {
			n = 2
		}
		s.next = min(2*n, 256)
		s.free = make([]T, n)
	}
	x := &s.free[0]
	s.free = s.free[1:]
	return x
}

// sizeSlabs sizes the first chunks of the slabs and of the statement,
// expression and keyword-argument arrays from the lexer's count of the
// tokens that produce each kind of node. The counts are estimates (mostly
// upper bounds): a slab that runs out simply grows.
func (p *parser) sizeSlabs(n tokCounts) {
	// A constant {{ 'x' }} becomes text, and true/false/none are names
	// the lexer does not count as constants: one more of each. Names
	// after a tag's keyword, after a dot, before '=' (keyword arguments,
	// set targets) and the 'in' of a for are not name nodes.
	a := p.ar
	p.texts.start(&a.texts, n.text+1)
	p.outputs.start(&a.outputs, n.vars)
	p.names.start(&a.names, n.names-n.blocks-n.dots-n.equals-n.fors)
	p.consts.start(&a.consts, n.consts+1)
	p.calls.start(&a.calls, n.calls)
	p.getattrs.start(&a.getattrs, n.dots)
	p.lists.start(&a.lists, n.lists)
	p.ifs.start(&a.ifs, n.ifs)
	p.fors.start(&a.fors, n.fors)
	p.stmtSlab = arenaSlice(&a.stmts, n.text+n.vars+n.blocks/2+1)
	p.exprSlab = arenaSlice(&a.exprs, n.commas+n.calls+2)
	p.kwSlab = arenaSlice(&a.kws, n.equals)
	p.chunk = 16
}

// stmtList pops the statements pushed since base into an exact-size slice
// (nil when there are none).
func (p *parser) stmtList(base int) []stmt { return popList(&p.stmtStack, &p.stmtSlab, base, p.chunk) }

// exprList pops the expressions pushed since base into an exact-size
// slice (nil when there are none).
func (p *parser) exprList(base int) []expr { return popList(&p.exprStack, &p.exprSlab, base, p.chunk) }

// kwList pops the keyword arguments pushed since base into an exact-size
// slice (nil when there are none).
func (p *parser) kwList(base int) []kwarg { return popList(&p.kwStack, &p.kwSlab, base, p.chunk) }

// popList moves the items pushed on stack since base into an exact-size
// slice cut from slab (refilled with at least chunk items when short), and
// clears them from the stack, which is reused across parses.
func popList[T any](stack, slab *[]T, base, chunk int) []T {
	n := len(*stack) - base
	if n == 0 {
		return nil
	}
	if len(*slab) < n {
		*slab = make([]T, max(n, chunk))
	}
	out := (*slab)[:n:n]
	*slab = (*slab)[n:]
	copy(out, (*stack)[base:])
	clear((*stack)[base:])
	*stack = (*stack)[:base]
	return out
}

func (p *parser) newName(at pos, name string) *nameExpr {
	x := p.names.new()
	x.p, x.name = at, name
	p.countSpecial(name, 1)
	return x
}

// Special names whose mere mention changes what a macro or loop does.
const (
	specLoop = iota
	specKwargs
	specVarargs
	specCaller
	numSpecials
)

// countSpecial counts the name expressions of the special names parsed so
// far; the counts before and after a body tell whether it mentions them.
func (p *parser) countSpecial(name string, d int) {
	switch name {
	case "loop":
		p.specials[specLoop] += d
	case "kwargs":
		p.specials[specKwargs] += d
	case "varargs":
		p.specials[specVarargs] += d
	case "caller":
		p.specials[specCaller] += d
	}
}

// analyze records which special names the body just parsed uses (refs
// are the counts from before it): like Jinja, a macro accepts extra
// keyword or positional arguments only if it reads kwargs or varargs.
func (p *parser) analyze(m *Macro, refs [numSpecials]int) {
	m.catchKwargs = p.specials[specKwargs] > refs[specKwargs]
	m.catchVarargs = p.specials[specVarargs] > refs[specVarargs]
	m.callerUsed = p.specials[specCaller] > refs[specCaller]
}

func (p *parser) newConst(at pos, v Value) *constExpr {
	x := p.consts.new()
	x.p, x.v = at, v
	return x
}

type openTag struct {
	name string
	p    pos
}

func (p *parser) cur() *token { return &p.toks[p.i] }

// tv returns the value of token t.
func (p *parser) tv(t *token) string { return tokVal(p.src, p.strs, t) }

func (p *parser) look() *token {
	if p.i+1 < len(p.toks) {
		return &p.toks[p.i+1]
	}
	return &p.toks[len(p.toks)-1]
}

func (p *parser) next() *token {
	t := &p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) fail(t *token, format string, args ...any) *Error {
	return errorf(p.file, t.pos, format, args...)
}

func (p *parser) isOp(op string) bool {
	t := p.cur()
	return t.kind == tOp && t.num == opCode(op)
}

func (p *parser) isName(name string) bool {
	t := p.cur()
	return t.kind == tName && p.tv(t) == name
}

func (p *parser) skipOp(op string) bool {
	if p.isOp(op) {
		p.next()
		return true
	}
	return false
}

func (p *parser) skipName(name string) bool {
	if p.isName(name) {
		p.next()
		return true
	}
	return false
}

// describe names a token the way Jinja's error messages do.
func (p *parser) describe(t *token) string {
	switch t.kind {
	case tEOF:
		return "end of template"
	case tVarBegin:
		return "begin of print statement"
	case tVarEnd:
		return "end of print statement"
	case tBlockBegin:
		return "begin of statement block"
	case tBlockEnd:
		return "end of statement block"
	case tName, tOp:
		if p == nil {
			return ""
		}
		return p.tv(t)
	case tString:
		return "string"
	case tInt:
		return "integer"
	case tFloat:
		return "float"
	case tText:
		return "template data / text"
	}
	return "?"
}

func describeKind(k tokKind) string {
	return (*parser)(nil).describe(&token{kind: k})
}

func (p *parser) expectKind(k tokKind) (*token, *Error) {
	t := p.cur()
	if t.kind != k {
		var err *Error
		if t.kind == tEOF {
			err = p.fail(t, "unexpected end of template, expected '%s'.", describeKind(k))
		} else {
			err = p.fail(t, "expected token '%s', got '%s'", describeKind(k), p.describe(t))
		}
		p.closeHint(err, k)
		return nil, err
	}
	return p.next(), nil
}

// closeHint explains a missing '}}' or '%}': which tag it closes, and
// that a tag holds one expression (or statement) only. A tag never closed
// is reported at its start, where the fix goes.
func (p *parser) closeHint(err *Error, k tokKind) {
	d := p.delim
	if d == nil || (k != tVarEnd && k != tBlockEnd) || (k == tVarEnd) != (d.kind == tVarBegin) {
		return
	}
	open, end := "{%", "%}"
	if d.kind == tVarBegin {
		open, end = "{{", "}}"
	}
	if t := p.cur(); t.kind == tEOF {
		err.Line, err.Col = int(d.pos.line), int(d.pos.col)
		err.Hint = fmt.Sprintf("this '%s' is never closed: add '%s'", open, end)
		return
	}
	what := "one expression"
	if open == "{%" {
		what = "one statement"
	}
	err.Hint = fmt.Sprintf("the '%s' at line %d, column %d holds %s: close it with '%s' before '%s'",
		open, d.pos.line, d.pos.col, what, end, p.describe(p.cur()))
}

func (p *parser) expectOp(op string) *Error {
	t := p.cur()
	if t.kind != tOp || t.num != opCode(op) {
		if t.kind == tEOF {
			return p.fail(t, "unexpected end of template, expected '%s'.", op)
		}
		return p.fail(t, "expected token '%s', got '%s'", op, p.describe(t))
	}
	p.next()
	return nil
}

func (p *parser) expectName(name string) *Error {
	t := p.cur()
	if t.kind != tName || p.tv(t) != name {
		if t.kind == tEOF {
			return p.fail(t, "unexpected end of template, expected '%s'.", name)
		}
		return p.fail(t, "expected token '%s', got '%s'", name, p.describe(t))
	}
	p.next()
	return nil
}

func (p *parser) expectIdent() (*token, *Error) {
	t := p.cur()
	if t.kind != tName {
		if t.kind == tEOF {
			return nil, p.fail(t, "unexpected end of template, expected 'name'.")
		}
		return nil, p.fail(t, "expected token 'name', got '%s'", p.describe(t))
	}
	return p.next(), nil
}

func (p *parser) parseTemplate() ([]stmt, *Error) {
	body, err := p.subparse(nil)
	if err != nil {
		return nil, err
	}
	return body, nil
}

func (p *parser) subparse(ends []string) ([]stmt, *Error) {
	if ends != nil {
		p.endStack = append(p.endStack, ends)
		defer func() { p.endStack = p.endStack[:len(p.endStack)-1] }()
	}
	base := len(p.stmtStack)
	for {
		t := p.cur()
		switch t.kind {
		case tEOF:
			return p.stmtList(base), nil
		case tText:
			ts := p.texts.new()
			ts.text = p.tv(t)
			p.stmtStack = append(p.stmtStack, ts)
			p.next()
		case tVarBegin:
			p.delim = p.next()
			x, err := p.parseTuple(false, true, nil, false)
			if err != nil {
				return nil, err
			}
			if _, err := p.expectKind(tVarEnd); err != nil {
				return nil, err
			}
			if c, ok := x.(*constExpr); ok {
				// A constant prints the same on every render.
				ts := p.texts.new()
				ts.text = ToString(c.v)
				p.stmtStack = append(p.stmtStack, ts)
			} else {
				os := p.outputs.new()
				os.x = x
				p.stmtStack = append(p.stmtStack, os)
			}
		case tBlockBegin:
			p.delim = p.next()
			if n := p.cur(); n.kind == tName && ends != nil && contains(ends, p.tv(n)) {
				return p.stmtList(base), nil
			}
			s, err := p.parseStatement()
			if err != nil {
				return nil, err
			}
			if _, err := p.expectKind(tBlockEnd); err != nil {
				return nil, err
			}
			if s != nil {
				p.stmtStack = append(p.stmtStack, s)
			}
		default:
			return nil, p.fail(t, "unexpected '%s'", p.describe(t))
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseStatements parses a block body up to one of ends; the end tag's name
// is left current unless drop is set.
func (p *parser) parseStatements(ends []string, drop bool) ([]stmt, *Error) {
	p.skipOp(":")
	if _, err := p.expectKind(tBlockEnd); err != nil {
		return nil, err
	}
	body, err := p.subparse(ends)
	if err != nil {
		return nil, err
	}
	if p.cur().kind == tEOF {
		return nil, p.failUnknownOrEOF("", ends)
	}
	if drop {
		p.next()
	}
	return body, nil
}

// failUnknownOrEOF builds Jinja's "unknown tag"/"unexpected end" message.
// For a missing end tag the position is the opening tag's, which is where
// the fix goes.
func (p *parser) failUnknownOrEOF(name string, ends []string) *Error {
	stack := p.endStack
	if ends != nil && (len(stack) == 0 || !sameStrings(stack[len(stack)-1], ends)) {
		stack = append(stack[:len(stack):len(stack)], ends)
	}
	expected := map[string]bool{}
	for _, e := range stack {
		for _, n := range e {
			expected[n] = true
		}
	}
	var msg []string
	var at pos
	if name == "" {
		msg = append(msg, "Unexpected end of template.")
		at = p.cur().pos
		if len(p.tagStack) > 0 {
			at = p.tagStack[len(p.tagStack)-1].p
		}
	} else {
		msg = append(msg, fmt.Sprintf("Encountered unknown tag '%s'.", name))
		at = p.cur().pos
	}
	if len(stack) > 0 {
		quoted := make([]string, len(stack[len(stack)-1]))
		for i, n := range stack[len(stack)-1] {
			quoted[i] = "'" + n + "'"
		}
		looking := strings.Join(quoted, " or ")
		if name != "" && expected[name] {
			msg = append(msg, "You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for "+looking+".")
		} else {
			msg = append(msg, "Jinja was looking for the following tags: "+looking+".")
		}
	}
	hint := ""
	if len(p.tagStack) > 0 {
		inner := p.tagStack[len(p.tagStack)-1]
		msg = append(msg, fmt.Sprintf("The innermost block that needs to be closed is '%s'.", inner.name))
		if name == "" {
			hint = fmt.Sprintf("add {%% end%s %%} to close the '%s' opened here", inner.name, inner.name)
		}
	}
	if name != "" && hint == "" {
		hint = unknownTagHint(name, expected)
	}
	err := errorf(p.file, at, "%s", strings.Join(msg, " "))
	err.Hint = hint
	return err
}

// knownTags are the statement tags this engine parses.
var knownTags = []string{"if", "elif", "else", "endif", "for", "endfor", "set", "endset",
	"macro", "endmacro", "test", "endtest", "call", "endcall", "filter", "endfilter",
	"with", "endwith", "do", "break", "continue", "raw", "endraw",
	"docs", "enddocs", "snapshot", "endsnapshot", "materialization", "endmaterialization"}

// unknownTagHint advises on a tag that is not one: an end tag with nothing
// open to close, or a misspelt tag.
func unknownTagHint(name string, expected map[string]bool) string {
	if open, ok := strings.CutPrefix(name, "end"); ok && open != "" && slices.Contains(knownTags, open) && !expected[name] {
		return fmt.Sprintf("there is no open {%% %s %%} here for it to close: remove it, or add the {%% %s %%} it belongs to", open, open)
	}
	if s := didYouMean(name, knownTags); s != "" {
		return fmt.Sprintf("did you mean '%s'?", s)
	}
	return ""
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (p *parser) parseStatement() (stmt, *Error) {
	t := p.cur()
	if t.kind != tName {
		return nil, p.fail(t, "tag name expected")
	}
	if len(p.tagStack) >= maxNesting {
		return nil, p.fail(t, "blocks are nested too deeply")
	}
	p.tagStack = append(p.tagStack, openTag{name: p.tv(t), p: p.toks[p.i-1].pos})
	popped := false
	defer func() {
		if !popped {
			p.tagStack = p.tagStack[:len(p.tagStack)-1]
		}
	}()
	switch p.tv(t) {
	case "if":
		return p.parseIf()
	case "for":
		return p.parseFor()
	case "set":
		return p.parseSet()
	case "macro":
		return p.parseMacro("macro")
	case "test":
		return p.parseMacro("test")
	case "call":
		return p.parseCallBlock()
	case "filter":
		return p.parseFilterBlock()
	case "with":
		return p.parseWith()
	case "do":
		p.next()
		x, err := p.parseTuple(false, true, nil, false)
		if err != nil {
			return nil, err
		}
		return &doStmt{x: x}, nil
	case "break", "continue":
		p.next()
		if p.loops == 0 {
			return nil, p.fail(t, "'%s' outside loop", p.tv(t))
		}
		return &loopCtlStmt{p: t.pos, isBreak: p.tv(t) == "break"}, nil
	case "docs", "snapshot", "materialization":
		return p.parseDbtBlock(p.tv(t))
	case "block", "extends", "include", "import", "from", "autoescape":
		return nil, p.fail(t, "the '%s' tag is not supported by this engine", p.tv(t))
	}
	p.tagStack = p.tagStack[:len(p.tagStack)-1]
	popped = true
	return nil, p.failUnknownOrEOF(p.tv(t), nil)
}

var (
	endsIf       = []string{"elif", "else", "endif"}
	endsEndif    = []string{"endif"}
	endsFor      = []string{"endfor", "else"}
	endsEndfor   = []string{"endfor"}
	endsEndset   = []string{"endset"}
	endsEndwith  = []string{"endwith"}
	endsEndcall  = []string{"endcall"}
	endsFilter   = []string{"endfilter"}
	endsEndmacro = []string{"endmacro"}
	endsEndtest  = []string{"endtest"}
	endsIn       = []string{"in"}
	endsRec      = []string{"recursive"}
)

func (p *parser) parseIf() (stmt, *Error) {
	s := p.ifs.new()
	s.p = p.next().pos
	base := len(p.exprStack)
	var bodiesBuf [4][]stmt
	bodies := bodiesBuf[:0]
	for {
		cond, err := p.parseTuple(false, false, nil, false)
		if err != nil {
			return nil, err
		}
		p.exprStack = append(p.exprStack, cond)
		body, err := p.parseStatements(endsIf, false)
		if err != nil {
			return nil, err
		}
		bodies = append(bodies, body)
		t := p.next()
		if p.tv(t) == "elif" {
			continue
		}
		s.conds = p.exprList(base)
		if len(bodies) == 1 {
			// The commonest if has no elif: its one body lives in the
			// statement itself.
			s.body1[0] = bodies[0]
			s.bodies = s.body1[:]
		} else {
			s.bodies = append([][]stmt(nil), bodies...)
		}
		if p.tv(t) == "else" {
			s.els, err = p.parseStatements(endsEndif, true)
			if err != nil {
				return nil, err
			}
		}
		return s, nil
	}
}

func (p *parser) parseFor() (stmt, *Error) {
	s := p.fors.new()
	s.p = p.next().pos
	tg, err := p.parseAssignTarget(true, false, endsIn, false)
	if err != nil {
		return nil, err
	}
	s.target = tg
	if err := p.expectName("in"); err != nil {
		return nil, err
	}
	s.iter, err = p.parseTuple(false, false, endsRec, false)
	if err != nil {
		return nil, err
	}
	if p.skipName("if") {
		s.cond, err = p.parseExpression(true)
		if err != nil {
			return nil, err
		}
	}
	s.recursive = p.skipName("recursive")
	if s.recursive {
		p.keepsNodes = true
	}
	p.loops++
	loopRefs := p.specials[specLoop]
	s.body, err = p.parseStatements(endsFor, false)
	p.loops--
	if err != nil {
		return nil, err
	}
	s.usesLoop = p.specials[specLoop] > loopRefs
	if p.tv(p.next()) == "else" {
		s.els, err = p.parseStatements(endsEndfor, true)
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (p *parser) parseSet() (stmt, *Error) {
	start := p.next().pos
	tg, err := p.parseAssignTarget(true, false, nil, true)
	if err != nil {
		return nil, err
	}
	if p.skipOp("=") {
		x, err := p.parseTuple(false, true, nil, false)
		if err != nil {
			return nil, err
		}
		return &setStmt{p: start, target: tg, x: x}, nil
	}
	filters, err := p.parseFilterChain(false)
	if err != nil {
		return nil, err
	}
	body, err := p.parseStatements(endsEndset, true)
	if err != nil {
		return nil, err
	}
	return &setBlockStmt{p: start, target: tg, filters: filters, body: body}, nil
}

func (p *parser) parseWith() (stmt, *Error) {
	s := &withStmt{p: p.next().pos}
	for p.cur().kind != tBlockEnd {
		if len(s.targets) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
		}
		tg, err := p.parseAssignTarget(true, false, nil, false)
		if err != nil {
			return nil, err
		}
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
		v, err := p.parseExpression(true)
		if err != nil {
			return nil, err
		}
		s.targets = append(s.targets, tg)
		s.values = append(s.values, v)
	}
	var err *Error
	s.body, err = p.parseStatements(endsEndwith, true)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (p *parser) topLevel() bool { return len(p.tagStack) == 1 }

func (p *parser) parseMacro(kind string) (stmt, *Error) {
	start := p.toks[p.i-1].pos
	p.next()
	nameTok, err := p.expectIdent()
	if err != nil {
		return nil, err
	}
	p.keepsNodes = true
	m := &Macro{Name: p.tv(nameTok), File: p.file, Line: int(start.line)}
	if kind == "test" {
		m.Name = "test_" + p.tv(nameTok)
	}
	if err := p.parseSignature(m); err != nil {
		return nil, err
	}
	top := p.topLevel()
	loops := p.loops
	p.loops = 0
	ends := endsEndmacro
	if kind == "test" {
		ends = endsEndtest
	}
	refs := p.specials
	body, err := p.parseStatements(ends, true)
	p.loops = loops
	if err != nil {
		return nil, err
	}
	p.analyze(m, refs)
	if top {
		p.macros = append(p.macros, m)
	}
	return &macroStmt{m: m, body: body}, nil
}

func (p *parser) parseSignature(m *Macro) *Error {
	if err := p.expectOp("("); err != nil {
		return err
	}
	hasDefault := false
	for !p.isOp(")") {
		if len(m.Params) > 0 {
			if err := p.expectOp(","); err != nil {
				return err
			}
		}
		t, err := p.expectIdent()
		if err != nil {
			return err
		}
		var def expr
		if p.skipOp("=") {
			def, err = p.parseExpression(true)
			if err != nil {
				return err
			}
			hasDefault = true
		} else if hasDefault {
			return p.fail(t, "non-default argument follows default argument")
		}
		m.Params = append(m.Params, p.tv(t))
		m.defaults = append(m.defaults, def)
	}
	return p.expectOp(")")
}

func (p *parser) parseCallBlock() (stmt, *Error) {
	start := p.next().pos
	p.keepsNodes = true
	caller := &Macro{Name: "caller", File: p.file, Line: int(start.line), isCaller: true}
	if p.isOp("(") {
		if err := p.parseSignature(caller); err != nil {
			return nil, err
		}
	}
	x, err := p.parseExpression(true)
	if err != nil {
		return nil, err
	}
	call, ok := x.(*callExpr)
	if !ok {
		return nil, errorf(p.file, start, "expected call")
	}
	loops := p.loops
	p.loops = 0
	refs := p.specials
	body, err := p.parseStatements(endsEndcall, true)
	p.loops = loops
	if err != nil {
		return nil, err
	}
	p.analyze(caller, refs)
	return &callBlockStmt{p: start, call: call, caller: caller, body: body}, nil
}

func (p *parser) parseFilterBlock() (stmt, *Error) {
	start := p.next().pos
	filters, err := p.parseFilterChain(true)
	if err != nil {
		return nil, err
	}
	body, err := p.parseStatements(endsFilter, true)
	if err != nil {
		return nil, err
	}
	return &filterBlockStmt{p: start, filters: filters, body: body}, nil
}

// parseDbtBlock handles dbt's top-level blocks: {% docs name %},
// {% snapshot name %} and {% materialization name, adapter='x' %}.
func (p *parser) parseDbtBlock(kind string) (stmt, *Error) {
	open := p.tagStack[len(p.tagStack)-1]
	p.next()
	nameTok, err := p.expectIdent()
	if err != nil {
		return nil, err
	}
	b := &Block{Kind: kind, Name: p.tv(nameTok), Line: int(open.p.line), Col: int(open.p.col)}
	if kind == "materialization" {
		b.Kwargs = map[string]Value{"adapter": "default"}
		for p.skipOp(",") {
			t, err := p.expectIdent()
			if err != nil {
				return nil, err
			}
			switch p.tv(t) {
			case "default":
			case "adapter", "supported_languages":
				if err := p.expectOp("="); err != nil {
					return nil, err
				}
				x, err := p.parseExpression(true)
				if err != nil {
					return nil, err
				}
				v, ok := constValue(x)
				if !ok {
					return nil, p.fail(t, "materialization argument '%s' must be a literal", p.tv(t))
				}
				b.Kwargs[p.tv(t)] = v
			default:
				return nil, p.fail(t, "invalid materialization argument '%s'", p.tv(t))
			}
		}
	}
	if p.cur().kind != tBlockEnd {
		_, err := p.expectKind(tBlockEnd)
		return nil, err
	}
	bodyStart := p.cur().ve // the end of the %}
	body, err := p.parseStatements([]string{"end" + kind}, false)
	if err != nil {
		return nil, err
	}
	endBegin := p.toks[p.i-1] // the {% of the end tag
	if kind == "docs" {
		b.Body = p.src[bodyStart:endBegin.vs]
	}
	p.next()
	if p.topLevel() {
		p.blocks = append(p.blocks, b)
	}
	return &blockStmt{block: b, body: body}, nil
}

func constValue(x expr) (Value, bool) {
	switch x := x.(type) {
	case *constExpr:
		return x.v, true
	case *listExpr:
		l := &List{Tuple: x.tuple}
		for _, it := range x.items {
			v, ok := constValue(it)
			if !ok {
				return nil, false
			}
			l.Items = append(l.Items, v)
		}
		return l, true
	}
	return nil, false
}

// parseAssignTarget parses a set/for/with target.
func (p *parser) parseAssignTarget(withTuple, nameOnly bool, extraEnd []string, withNamespace bool) (target, *Error) {
	t := p.cur()
	if withNamespace && t.kind == tName && p.look().kind == tOp && p.tv(p.look()) == "." {
		p.next()
		p.next()
		attr, err := p.expectIdent()
		if err != nil {
			return target{}, err
		}
		return target{p: t.pos, name: p.tv(t), attr: p.tv(attr)}, nil
	}
	if nameOnly {
		n, err := p.expectIdent()
		if err != nil {
			return target{}, err
		}
		return target{p: n.pos, name: p.tv(n)}, nil
	}
	var x expr
	var err *Error
	if withTuple {
		x, err = p.parseTuple(true, false, extraEnd, false)
	} else {
		x, err = p.parsePrimary()
	}
	if err != nil {
		return target{}, err
	}
	return p.toTarget(x)
}

func (p *parser) toTarget(x expr) (target, *Error) {
	switch x := x.(type) {
	case *nameExpr:
		// An assignment target is not a use of the name.
		p.countSpecial(x.name, -1)
		return target{p: x.p, name: x.name}, nil
	case *listExpr:
		if x.tuple {
			tg := target{p: x.p, items: []target{}}
			for _, it := range x.items {
				sub, err := p.toTarget(it)
				if err != nil {
					return target{}, err
				}
				tg.items = append(tg.items, sub)
			}
			return tg, nil
		}
		return target{}, errorf(p.file, x.p, "can't assign to 'list'")
	case *constExpr:
		return target{}, errorf(p.file, x.p, "can't assign to 'const'")
	}
	return target{}, errorf(p.file, x.position(), "can't assign to this expression")
}

// parseTuple parses comma-separated expressions; a single one is returned
// as is, several become a tuple.
func (p *parser) parseTuple(simplified, withCondexpr bool, extraEnd []string, explicitParens bool) (expr, *Error) {
	start := p.cur().pos
	base := len(p.exprStack)
	n := 0
	isTuple := false
	for {
		if n > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
		}
		if p.isTupleEnd(extraEnd) {
			break
		}
		var x expr
		var err *Error
		switch {
		case simplified:
			x, err = p.parsePrimary()
		default:
			x, err = p.parseExpression(withCondexpr)
		}
		if err != nil {
			return nil, err
		}
		if n == 0 && !p.isOp(",") {
			// The common case: one expression, no tuple.
			return x, nil
		}
		p.exprStack = append(p.exprStack, x)
		n++
		if p.isOp(",") {
			isTuple = true
		} else {
			break
		}
	}
	if !isTuple && !explicitParens {
		return nil, p.fail(p.cur(), "Expected an expression, got '%s'", p.describe(p.cur()))
	}
	return &listExpr{p: start, items: p.exprList(base), tuple: true}, nil
}

func (p *parser) isTupleEnd(extraEnd []string) bool {
	t := p.cur()
	switch {
	case t.kind == tVarEnd, t.kind == tBlockEnd, t.kind == tOp && t.num == ')':
		return true
	case t.kind == tName && contains(extraEnd, p.tv(t)):
		return true
	}
	return false
}

func (p *parser) parseExpression(withCondexpr bool) (expr, *Error) {
	if x := p.parseLoneOperand(); x != nil {
		return x, nil
	}
	if x, err := p.parseLoneUnary(); x != nil || err != nil {
		return x, err
	}
	if withCondexpr {
		return p.parseCondexpr()
	}
	return p.parseOr()
}

// parseLoneOperand is the fast path of parseExpression for the commonest
// expression: a literal or a name right before a token that ends the
// expression (`,` `)` `]` `}` `:` `}}` `%}`). The full descent through
// every precedence level would return the same node. It returns nil
// when the fast path does not apply.
func (p *parser) parseLoneOperand() expr {
	t := p.cur()
	switch t.kind {
	case tString, tInt, tFloat:
	case tName:
		if p.tv(t) == "not" {
			return nil
		}
	default:
		return nil
	}
	if p.nesting >= maxNesting {
		return nil
	}
	if !p.endsExpr(p.look()) {
		return nil
	}
	x, err := p.parsePrimary()
	if err != nil {
		return nil
	}
	return x
}

// parseLoneUnary is the next fast path: an operand with its calls,
// attributes, subscripts and filters (`ref('x')`, `cents_to_dollars(c,
// scale=2)`, `loop.last`) right before a token that ends the expression.
// No binary operator follows, so every precedence level of the full
// descent would hand the operand up unchanged. The full descent starts
// with this very parseUnary call, so an error is the one it would report.
// When an operator follows, it rewinds and returns nil, nil, leaving the
// operand pending: the full descent's first parseUnary takes it instead of
// parsing it again (parsing twice at every level of a nested expression
// would take exponential time).
func (p *parser) parseLoneUnary() (expr, *Error) {
	t := p.cur()
	switch t.kind {
	case tString, tInt, tFloat:
	case tName:
		if p.tv(t) == "not" {
			return nil, nil
		}
	case tOp:
		switch t.num {
		case '(', '[', '{':
		default:
			return nil, nil
		}
	default:
		return nil, nil
	}
	from := p.i
	x, err := p.parseUnary(true)
	if err != nil || p.endsExpr(p.cur()) {
		return x, err
	}
	p.pending, p.pendFrom, p.pendTo = x, from, p.i
	p.i = from
	return nil, nil
}

// endsExpr reports whether t ends an expression at every precedence level.
func (p *parser) endsExpr(t *token) bool {
	switch t.kind {
	case tVarEnd, tBlockEnd:
		return true
	case tOp:
		switch t.num {
		case ',', ')', ']', '}', ':':
			return true
		}
	}
	return false
}

func (p *parser) parseCondexpr() (expr, *Error) {
	start := p.cur().pos
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	for p.skipName("if") {
		cond, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		var els expr
		if p.skipName("else") {
			els, err = p.parseCondexpr()
			if err != nil {
				return nil, err
			}
		}
		x = &condExpr{p: start, cond: cond, then: x, else_: els}
	}
	return x, nil
}

func (p *parser) parseOr() (expr, *Error) {
	start := p.cur().pos
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.skipName("or") {
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = &orExpr{p: start, l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseAnd() (expr, *Error) {
	start := p.cur().pos
	l, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	for p.skipName("and") {
		r, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		l = &andExpr{p: start, l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseNot() (expr, *Error) {
	if p.isName("not") {
		t := p.next()
		x, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &notExpr{p: t.pos, x: x}, nil
	}
	return p.parseCompare()
}

func (p *parser) parseCompare() (expr, *Error) {
	start := p.cur().pos
	first, err := p.parseMath1()
	if err != nil {
		return nil, err
	}
	var ops []string
	var rest []expr
	for {
		t := p.cur()
		var op string
		switch {
		case t.kind == tOp && (t.num == opCode("==") || t.num == opCode("!=") || t.num == '<' || t.num == opCode("<=") || t.num == '>' || t.num == opCode(">=")):
			op = p.tv(t)
			p.next()
		case t.kind == tName && p.tv(t) == "in":
			op = "in"
			p.next()
		case t.kind == tName && p.tv(t) == "not" && p.look().kind == tName && p.tv(p.look()) == "in":
			op = "notin"
			p.next()
			p.next()
		}
		if op == "" {
			break
		}
		r, err := p.parseMath1()
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
		rest = append(rest, r)
	}
	if len(ops) == 0 {
		return first, nil
	}
	return &compareExpr{p: start, first: first, ops: ops, rest: rest}, nil
}

func (p *parser) parseMath1() (expr, *Error) {
	l, err := p.parseConcat()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		t := p.next()
		r, err := p.parseConcat()
		if err != nil {
			return nil, err
		}
		l = &binExpr{p: t.pos, op: p.tv(t), l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseConcat() (expr, *Error) {
	start := p.cur().pos
	x, err := p.parseMath2()
	if err != nil {
		return nil, err
	}
	if !p.isOp("~") {
		return x, nil
	}
	parts := []expr{x}
	for p.skipOp("~") {
		y, err := p.parseMath2()
		if err != nil {
			return nil, err
		}
		parts = append(parts, y)
	}
	return &concatExpr{p: start, parts: parts}, nil
}

func (p *parser) parseMath2() (expr, *Error) {
	l, err := p.parsePow()
	if err != nil {
		return nil, err
	}
	for p.isOp("*") || p.isOp("/") || p.isOp("//") || p.isOp("%") {
		t := p.next()
		r, err := p.parsePow()
		if err != nil {
			return nil, err
		}
		l = &binExpr{p: t.pos, op: p.tv(t), l: l, r: r}
	}
	return l, nil
}

func (p *parser) parsePow() (expr, *Error) {
	l, err := p.parseUnary(true)
	if err != nil {
		return nil, err
	}
	for p.isOp("**") {
		t := p.next()
		r, err := p.parseUnary(true)
		if err != nil {
			return nil, err
		}
		l = &binExpr{p: t.pos, op: "**", l: l, r: r}
	}
	return l, nil
}

const maxNesting = 200

func (p *parser) parseUnary(withFilter bool) (expr, *Error) {
	if p.pending != nil && p.i == p.pendFrom && withFilter {
		x := p.pending
		p.pending, p.i = nil, p.pendTo
		return x, nil
	}
	t := p.cur()
	p.nesting++
	defer func() { p.nesting-- }()
	if p.nesting > maxNesting {
		return nil, p.fail(t, "expression is nested too deeply")
	}
	var x expr
	var err *Error
	if t.kind == tOp && (t.num == '-' || t.num == '+') {
		p.next()
		inner, err := p.parseUnary(false)
		if err != nil {
			return nil, err
		}
		x = &unaryExpr{p: t.pos, op: p.tv(t), x: inner}
		if c, ok := inner.(*constExpr); ok && p.tv(t) == "-" {
			switch v := c.v.(type) {
			case int64:
				x = &constExpr{p: t.pos, v: -v}
			case float64:
				x = &constExpr{p: t.pos, v: -v}
			}
		}
	} else {
		x, err = p.parsePrimary()
		if err != nil {
			return nil, err
		}
	}
	x, err = p.parsePostfix(x)
	if err != nil {
		return nil, err
	}
	if withFilter {
		x, err = p.parseFilterExpr(x)
	}
	return x, err
}

func (p *parser) parsePrimary() (expr, *Error) {
	t := p.cur()
	switch t.kind {
	case tName:
		p.next()
		switch p.tv(t) {
		case "true", "True":
			return p.newConst(t.pos, true), nil
		case "false", "False":
			return p.newConst(t.pos, false), nil
		case "none", "None":
			return p.newConst(t.pos, nil), nil
		}
		return p.newName(t.pos, p.tv(t)), nil
	case tString:
		p.next()
		s := p.tv(t)
		for p.cur().kind == tString {
			s += p.tv(p.next())
		}
		return p.newConst(t.pos, s), nil
	case tInt:
		p.next()
		return p.newConst(t.pos, t.num), nil
	case tFloat:
		p.next()
		return p.newConst(t.pos, t.float()), nil
	case tOp:
		switch t.num {
		case '(':
			p.next()
			x, err := p.parseTuple(false, true, nil, true)
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			return x, nil
		case '[':
			return p.parseList()
		case '{':
			return p.parseDict()
		}
	}
	if t.kind == tEOF {
		return nil, p.fail(t, "unexpected end of template")
	}
	err := p.fail(t, "unexpected '%s'", p.describe(t))
	switch {
	case t.kind == tVarEnd:
		err.Hint = "a value is missing before '}}'"
	case t.kind == tBlockEnd:
		err.Hint = "a value is missing before '%}'"
	case t.kind == tOp && strings.Contains(")],}", p.tv(t)):
		err.Hint = "a value is missing before '" + p.tv(t) + "'"
	}
	return nil, err
}

func (p *parser) parseList() (expr, *Error) {
	l := p.lists.new()
	l.p = p.next().pos
	base := len(p.exprStack)
	for !p.isOp("]") {
		if len(p.exprStack) > base {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
		}
		if p.isOp("]") {
			break
		}
		x, err := p.parseExpression(true)
		if err != nil {
			return nil, err
		}
		p.exprStack = append(p.exprStack, x)
	}
	p.next()
	l.items = p.exprList(base)
	return l, nil
}

func (p *parser) parseDict() (expr, *Error) {
	d := &dictExpr{p: p.next().pos}
	base := len(p.exprStack)
	for !p.isOp("}") {
		if len(p.exprStack) > base {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
		}
		if p.isOp("}") {
			break
		}
		k, err := p.parseExpression(true)
		if err != nil {
			return nil, err
		}
		if err := p.expectOp(":"); err != nil {
			return nil, err
		}
		v, err := p.parseExpression(true)
		if err != nil {
			return nil, err
		}
		p.exprStack = append(p.exprStack, k, v)
	}
	p.next()
	if n := (len(p.exprStack) - base) / 2; n > 0 {
		// Pushed as k0 v0 k1 v1...; stored as k0 k1... v0 v1...
		kv := p.exprStack[base:]
		all := make([]expr, 2*n)
		for i := 0; i < n; i++ {
			all[i], all[n+i] = kv[2*i], kv[2*i+1]
		}
		p.exprStack = p.exprStack[:base]
		d.keys, d.vals = all[:n:n], all[n:]
	}
	return d, nil
}

func (p *parser) parsePostfix(x expr) (expr, *Error) {
	for {
		var err *Error
		switch {
		case p.isOp(".") || p.isOp("["):
			x, err = p.parseSubscript(x)
		case p.isOp("("):
			x, err = p.parseCall(x)
		default:
			return x, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseFilterExpr(x expr) (expr, *Error) {
	for {
		var err *Error
		switch {
		case p.isOp("|"):
			var fs []*filterExpr
			fs, err = p.parseFilterChain(false)
			if err == nil {
				for _, f := range fs {
					f.arg = x
					markupAware(f)
					x = f
				}
			}
		case p.isName("is"):
			x, err = p.parseTest(x)
		case p.isOp("("):
			x, err = p.parseCall(x)
		default:
			return x, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseSubscript(x expr) (expr, *Error) {
	t := p.next()
	if p.tv(t) == "." {
		a := p.next()
		switch a.kind {
		case tName:
			g := p.getattrs.new()
			g.p, g.obj, g.name = a.pos, x, p.tv(a)
			return g, nil
		case tInt:
			return &getitemExpr{p: a.pos, obj: x, key: &constExpr{p: a.pos, v: a.num}}, nil
		}
		return nil, p.fail(a, "expected name or number")
	}
	var args []expr
	for !p.isOp("]") {
		if len(args) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
		}
		a, err := p.parseSubscribed(x, t.pos)
		if err != nil {
			return nil, err
		}
		args = append(args, a)
	}
	if err := p.expectOp("]"); err != nil {
		return nil, err
	}
	if len(args) == 1 {
		if s, ok := args[0].(*sliceExpr); ok {
			return s, nil
		}
		return &getitemExpr{p: t.pos, obj: x, key: args[0]}, nil
	}
	if len(args) == 0 {
		return nil, p.fail(t, "expected subscript expression")
	}
	return &getitemExpr{p: t.pos, obj: x, key: &listExpr{p: t.pos, items: args, tuple: true}}, nil
}

func (p *parser) parseSubscribed(obj expr, at pos) (expr, *Error) {
	var parts [3]expr
	if p.isOp(":") {
		p.next()
	} else {
		x, err := p.parseExpression(true)
		if err != nil {
			return nil, err
		}
		if !p.isOp(":") {
			return x, nil
		}
		p.next()
		parts[0] = x
	}
	if !p.isOp(":") && !p.isOp("]") && !p.isOp(",") {
		x, err := p.parseExpression(true)
		if err != nil {
			return nil, err
		}
		parts[1] = x
	}
	if p.skipOp(":") {
		if !p.isOp("]") && !p.isOp(",") {
			x, err := p.parseExpression(true)
			if err != nil {
				return nil, err
			}
			parts[2] = x
		}
	}
	return &sliceExpr{p: at, obj: obj, start: parts[0], stop: parts[1], step: parts[2]}, nil
}

func (p *parser) parseCall(fn expr) (expr, *Error) {
	at := fn.position()
	if g, ok := fn.(*getattrExpr); ok {
		at = g.p
	}
	args, kwargs, star, dstar, err := p.parseCallArgs()
	if err != nil {
		return nil, err
	}
	c := p.calls.new()
	c.p, c.fn = at, fn
	c.args, c.kwargs, c.star, c.dstar = args, kwargs, star, dstar
	return c, nil
}

func (p *parser) parseCallArgs() ([]expr, []kwarg, expr, expr, *Error) {
	open := p.cur()
	if err := p.expectOp("("); err != nil {
		return nil, nil, nil, nil, err
	}
	base, kwBase := len(p.exprStack), len(p.kwStack)
	var star, dstar expr
	requireComma := false
	for !p.isOp(")") {
		if requireComma {
			if err := p.expectOp(","); err != nil {
				return nil, nil, nil, nil, err
			}
			if p.isOp(")") {
				break
			}
		}
		switch {
		case p.isOp("*"):
			p.next()
			x, err := p.parseExpression(true)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			star = x
		case p.isOp("**"):
			p.next()
			x, err := p.parseExpression(true)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			dstar = x
		default:
			if p.cur().kind == tName && p.look().kind == tOp && p.look().num == '=' {
				name := p.tv(p.next())
				p.next()
				x, err := p.parseExpression(true)
				if err != nil {
					return nil, nil, nil, nil, err
				}
				p.kwStack = append(p.kwStack, kwarg{name: name, key: name, x: x})
			} else {
				if len(p.kwStack) > kwBase || star != nil || dstar != nil {
					return nil, nil, nil, nil, p.fail(p.cur(), "invalid syntax for function call expression")
				}
				x, err := p.parseExpression(true)
				if err != nil {
					return nil, nil, nil, nil, err
				}
				p.exprStack = append(p.exprStack, x)
			}
		}
		requireComma = true
	}
	if err := p.expectOp(")"); err != nil {
		_ = open
		return nil, nil, nil, nil, err
	}
	return p.exprList(base), p.kwList(kwBase), star, dstar, nil
}

// parseFilterChain parses `| f(args) | g`; with inline the first filter has
// no leading pipe ({% filter upper %}).
func (p *parser) parseFilterChain(inline bool) ([]*filterExpr, *Error) {
	var out []*filterExpr
	for p.isOp("|") || inline {
		if !inline {
			p.next()
		}
		inline = false
		t, err := p.expectIdent()
		if err != nil {
			return nil, err
		}
		name := p.tv(t)
		for p.isOp(".") {
			p.next()
			n, err := p.expectIdent()
			if err != nil {
				return nil, err
			}
			name += "." + p.tv(n)
		}
		f := &filterExpr{p: t.pos, name: name}
		if p.isOp("(") {
			args, kwargs, star, dstar, err := p.parseCallArgs()
			if err != nil {
				return nil, err
			}
			if star != nil || dstar != nil {
				return nil, p.fail(t, "*args and **kwargs are not supported in filter calls")
			}
			f.args, f.kwargs = args, kwargs
		}
		if p.env != nil {
			f.fn = p.env.Filters[name]
		}
		if f.fn == nil {
			p.unknownCallables++
		}
		out = append(out, f)
	}
	return out, nil
}

func (p *parser) parseTest(x expr) (expr, *Error) {
	p.next() // is
	negate := p.skipName("not")
	t, err := p.expectIdent()
	if err != nil {
		return nil, err
	}
	name := p.tv(t)
	for p.isOp(".") {
		p.next()
		n, err := p.expectIdent()
		if err != nil {
			return nil, err
		}
		name += "." + p.tv(n)
	}
	te := &testExpr{p: t.pos, arg: x, name: name, negate: negate}
	c := p.cur()
	switch {
	case p.isOp("("):
		args, kwargs, star, dstar, err := p.parseCallArgs()
		if err != nil {
			return nil, err
		}
		if len(kwargs) > 0 || star != nil || dstar != nil {
			return nil, p.fail(t, "keyword arguments are not supported in tests")
		}
		te.args = args
	case (c.kind == tName || c.kind == tString || c.kind == tInt || c.kind == tFloat ||
		c.kind == tOp && (p.tv(c) == "(" || p.tv(c) == "[" || p.tv(c) == "{")) &&
		!(c.kind == tName && (p.tv(c) == "else" || p.tv(c) == "or" || p.tv(c) == "and")):
		if c.kind == tName && p.tv(c) == "is" {
			return nil, p.fail(c, "You cannot chain multiple tests with is")
		}
		a, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		a, err = p.parsePostfix(a)
		if err != nil {
			return nil, err
		}
		te.args = []expr{a}
	}
	if p.env != nil {
		te.fn = p.env.Tests[name]
	}
	if te.fn == nil {
		p.unknownCallables++
	}
	return te, nil
}

// checkCallables rejects unknown filters and tests at parse time, as Jinja's
// compiler does, except inside if blocks and conditional expressions
// ("soft" frames) where Jinja defers the error until the code runs.
func checkCallables(file string, body []stmt, soft bool) *Error {
	for _, s := range body {
		if err := checkStmt(file, s, soft); err != nil {
			return err
		}
	}
	return nil
}

func checkStmt(file string, s stmt, soft bool) *Error {
	exprs := func(soft bool, xs ...expr) *Error {
		for _, x := range xs {
			if err := checkExpr(file, x, soft); err != nil {
				return err
			}
		}
		return nil
	}
	filters := func(fs []*filterExpr) *Error {
		for _, f := range fs {
			if err := checkExpr(file, f, false); err != nil {
				return err
			}
		}
		return nil
	}
	switch s := s.(type) {
	case *outputStmt:
		return exprs(soft, s.x)
	case *ifStmt:
		for i, c := range s.conds {
			if err := exprs(true, c); err != nil {
				return err
			}
			if err := checkCallables(file, s.bodies[i], true); err != nil {
				return err
			}
		}
		return checkCallables(file, s.els, true)
	case *forStmt:
		if err := exprs(soft, s.iter); err != nil {
			return err
		}
		if err := exprs(false, s.cond); err != nil {
			return err
		}
		if err := checkCallables(file, s.body, false); err != nil {
			return err
		}
		return checkCallables(file, s.els, false)
	case *setStmt:
		return exprs(soft, s.x)
	case *setBlockStmt:
		if err := filters(s.filters); err != nil {
			return err
		}
		return checkCallables(file, s.body, false)
	case *macroStmt:
		if err := exprs(false, s.m.defaults...); err != nil {
			return err
		}
		return checkCallables(file, s.body, false)
	case *callBlockStmt:
		if err := exprs(soft, s.call); err != nil {
			return err
		}
		return checkCallables(file, s.body, false)
	case *filterBlockStmt:
		if err := filters(s.filters); err != nil {
			return err
		}
		return checkCallables(file, s.body, false)
	case *withStmt:
		if err := exprs(soft, s.values...); err != nil {
			return err
		}
		return checkCallables(file, s.body, false)
	case *doStmt:
		return exprs(soft, s.x)
	case *blockStmt:
		return checkCallables(file, s.body, false)
	}
	return nil
}

func checkExpr(file string, x expr, soft bool) *Error {
	if x == nil {
		return nil
	}
	var err *Error
	var visit func(x expr, soft bool)
	visit = func(x expr, soft bool) {
		if x == nil || err != nil {
			return
		}
		switch e := x.(type) {
		case *condExpr:
			visit(e.cond, true)
			visit(e.then, true)
			visit(e.else_, true)
			return
		case *filterExpr:
			if e.fn == nil && !soft {
				err = errorf(file, e.p, "No filter named '%s'.", e.name)
				err.filter = e.name
				return
			}
			visit(e.arg, soft)
			for _, a := range e.args {
				visit(a, soft)
			}
			for _, k := range e.kwargs {
				visit(k.x, soft)
			}
			return
		case *testExpr:
			if e.fn == nil && !soft {
				err = errorf(file, e.p, "No test named '%s'.", e.name)
				return
			}
			visit(e.arg, soft)
			for _, a := range e.args {
				visit(a, soft)
			}
			return
		}
		// Other nodes: recurse into direct children with the same softness.
		eachChild(x, func(c expr) { visit(c, soft) })
	}
	visit(x, soft)
	return err
}

// markupAware approximates Jinja's Markup strings for the common chains:
// escaping the result of escape or safe is a no-op.
func markupAware(f *filterExpr) {
	if f.name != "e" && f.name != "escape" {
		return
	}
	if prev, ok := f.arg.(*filterExpr); ok {
		switch prev.name {
		case "e", "escape", "safe", "forceescape":
			f.fn = func(_ *State, v Value, _ []Value, _ *Dict) (Value, error) { return ToString(v), nil }
		}
	}
}
