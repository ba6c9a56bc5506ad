package jinja

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/flosch/pongo2/v6"
)

// A unit is the result of one Parse: the table of pieces (statements) that
// the nodes of its pongo2 tree refer to by index. The tree itself is shared
// by every unit of the same shape (see shapeCache); the unit is what a
// render binds it to (State.u).
type unit struct {
	pieces []piece
}

// A piece is what one indexed gm_* tag stands for: a run of leaf
// statements (gm_run) or one block statement (gm_if, gm_for, ...).
type piece struct {
	run []stmt
	s   stmt
}

// Shape opcodes: the emitter reduces a statement tree to a string of these
// (its shape), from which the pongo2 source is generated. Lower-case
// opcodes open a tag that takes the next piece index, in order; upper-case
// ones are the bare continuation and end tags.
const (
	opRun byte = 'a' + iota
	opIf
	opFor
	opSetBlock
	opMacro
	opCall
	opFilter
	opWith
	opBlock

	opElif      byte = 'A'
	opElse      byte = 'B'
	opEndIf     byte = 'C'
	opForElse   byte = 'D'
	opEndFor    byte = 'E'
	opEndSet    byte = 'F'
	opEndMacro  byte = 'G'
	opEndCall   byte = 'H'
	opEndFilter byte = 'I'
	opEndWith   byte = 'J'
	opEndBlock  byte = 'K'
)

func indexed(op byte) bool { return op >= 'a' }

// opTags names the pongo2 tag of each opcode.
var opTags = [256]string{
	opRun:       "gm_run",
	opIf:        "gm_if",
	opFor:       "gm_for",
	opSetBlock:  "gm_setblock",
	opMacro:     "gm_macro",
	opCall:      "gm_call",
	opFilter:    "gm_filter",
	opWith:      "gm_with",
	opBlock:     "gm_block",
	opElif:      "gm_elif",
	opElse:      "gm_else",
	opEndIf:     "gm_endif",
	opForElse:   "gm_forelse",
	opEndFor:    "gm_endfor",
	opEndSet:    "gm_endsetblock",
	opEndMacro:  "gm_endmacro",
	opEndCall:   "gm_endcall",
	opEndFilter: "gm_endfilter",
	opEndWith:   "gm_endwith",
	opEndBlock:  "gm_endblock",
}

// emitter reduces a statement tree to its shape and its pieces. Two
// templates with the same shape have the same pongo2 source: text and
// expressions live only in the pieces, never in the pongo2 text.
type emitter struct {
	shape  []byte
	pieces []piece
}

func (e *emitter) open(op byte, p piece) {
	e.shape = append(e.shape, op)
	e.pieces = append(e.pieces, p)
}

// stmts emits a body. Runs of leaf statements (text, output, set, do,
// break, continue) become one gm_run tag: pongo2 builds and walks only the
// block structure, and templates differing only in their leaves share it.
func (e *emitter) stmts(body []stmt) {
	for i := 0; i < len(body); {
		j := i
		for j < len(body) && isLeaf(body[j]) {
			j++
		}
		if j > i {
			e.open(opRun, piece{run: body[i:j:j]})
			i = j
			continue
		}
		e.stmt(body[i])
		i++
	}
}

func isLeaf(s stmt) bool {
	switch s.(type) {
	case *textStmt, *outputStmt, *setStmt, *doStmt, *loopCtlStmt:
		return true
	}
	return false
}

func (e *emitter) stmt(s stmt) {
	switch s := s.(type) {
	case *ifStmt:
		e.open(opIf, piece{s: s})
		for i, body := range s.bodies {
			if i > 0 {
				e.shape = append(e.shape, opElif)
			}
			e.stmts(body)
		}
		if s.els != nil {
			e.shape = append(e.shape, opElse)
			e.stmts(s.els)
		}
		e.shape = append(e.shape, opEndIf)
	case *forStmt:
		e.open(opFor, piece{s: s})
		e.stmts(s.body)
		if s.els != nil {
			e.shape = append(e.shape, opForElse)
			e.stmts(s.els)
		}
		e.shape = append(e.shape, opEndFor)
	case *setBlockStmt:
		e.block(opSetBlock, opEndSet, s, s.body)
	case *macroStmt:
		e.block(opMacro, opEndMacro, s, s.body)
	case *callBlockStmt:
		e.block(opCall, opEndCall, s, s.body)
	case *filterBlockStmt:
		e.block(opFilter, opEndFilter, s, s.body)
	case *withStmt:
		e.block(opWith, opEndWith, s, s.body)
	case *blockStmt:
		e.block(opBlock, opEndBlock, s, s.body)
	}
}

func (e *emitter) block(op, end byte, s stmt, body []stmt) {
	e.open(op, piece{s: s})
	e.stmts(body)
	e.shape = append(e.shape, end)
}

// pongoSource is the pongo2 template of a shape: {% gm_root %}, then one
// tag per opcode, indexed tags numbered in order, then {% gm_endroot %}.
func pongoSource(shape string) string {
	var b strings.Builder
	b.Grow(len(shape)*20 + 32)
	b.WriteString("{% gm_root %}")
	var num [20]byte
	idx := 0
	for i := 0; i < len(shape); i++ {
		op := shape[i]
		b.WriteString("{% ")
		b.WriteString(opTags[op])
		if indexed(op) {
			b.WriteByte(' ')
			b.Write(strconv.AppendInt(num[:0], int64(idx), 10))
			idx++
		}
		b.WriteString(" %}")
	}
	b.WriteString("{% gm_endroot %}")
	return b.String()
}

// A skeleton is the pongo2 tree of one shape: immutable once built and
// shared by every template of that shape, rendered concurrently. Its nodes
// hold piece indexes; the pieces come from the rendering State's unit.
type skeleton struct {
	root *pongo2.NodeWrapper
	// bodies holds, per piece index, the body of a macro or dbt block:
	// binding a unit to the skeleton gives its Macros and Blocks their
	// bodies.
	bodies []*pongo2.NodeWrapper
	shape  string
}

// shapeCache maps a shape to its skeleton, so pongo2 parses each distinct
// block structure once per process. It is bounded: when full it starts
// over, which only costs re-parsing.
var shapeCache = struct {
	sync.RWMutex
	m map[string]*skeleton
}{m: map[string]*skeleton{}}

const shapeCacheMax = 4096

// skeletonFor returns the skeleton of shape, parsing it with pongo2 on a
// cache miss.
func skeletonFor(shape []byte) (*skeleton, error) {
	shapeCache.RLock()
	sk := shapeCache.m[string(shape)]
	shapeCache.RUnlock()
	if sk != nil {
		return sk, nil
	}
	sk, err := buildSkeleton(string(shape))
	if err != nil {
		return nil, err
	}
	shapeCache.Lock()
	if prev := shapeCache.m[sk.shape]; prev != nil {
		sk = prev
	} else {
		if len(shapeCache.m) >= shapeCacheMax {
			clear(shapeCache.m)
		}
		shapeCache.m[sk.shape] = sk
	}
	shapeCache.Unlock()
	return sk, nil
}

// A build is one skeleton under construction: the tag parsers find it by
// the template name pongo2 gives every token.
type build struct {
	name string
	src  string
	sk   *skeleton
}

var (
	building sync.Map // template name -> *build
	buildSeq atomic.Int64
)

func lookupBuild(name string) *build {
	b, ok := building.Load(name)
	if !ok {
		return nil
	}
	return b.(*build)
}

func buildSkeleton(shape string) (*skeleton, error) {
	npieces := 0
	for i := 0; i < len(shape); i++ {
		if indexed(shape[i]) {
			npieces++
		}
	}
	b := &build{
		name: "gm:" + strconv.FormatInt(buildSeq.Add(1), 10),
		src:  pongoSource(shape),
		sk:   &skeleton{bodies: make([]*pongo2.NodeWrapper, npieces), shape: shape},
	}
	building.Store(b.name, b)
	defer building.Delete(b.name)
	set := setPool.Get().(*pongo2.TemplateSet)
	_, err := set.FromFile(b.name)
	setPool.Put(set)
	if err != nil {
		return nil, err
	}
	if b.sk.root == nil {
		return nil, fmt.Errorf("no root node after pongo2 parse")
	}
	return b.sk, nil
}

// buildLoader serves the emitted source of skeletons under construction to
// pongo2, so the template (and each token) is named after its build.
type buildLoader struct{}

func (buildLoader) Abs(base, name string) string { return name }

func (buildLoader) Get(path string) (io.Reader, error) {
	b := lookupBuild(path)
	if b == nil {
		return nil, fmt.Errorf("no build %q", path)
	}
	return strings.NewReader(b.src), nil
}

// A TemplateSet is not safe for concurrent parsing (it flips an internal
// flag on every FromString), so each parse borrows one from the pool.
var setPool = sync.Pool{New: func() any {
	registerTags()
	return pongo2.NewSet("gmodel-jinja", buildLoader{})
}}
