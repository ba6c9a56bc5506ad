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

// A unit is one Parse in flight: the table of precompiled pieces that the
// emitted pongo2 tags point at by index. It lives in the registry only while
// pongo2 parses; afterwards the nodes hold direct pointers.
type unit struct {
	id     int64
	name   string // pongo2 template name; tags find their unit by it
	src    string // the emitted pongo2 source
	file   string
	env    *Env
	pieces []any
	root   *pongo2.NodeWrapper
}

var (
	registry sync.Map // unit name -> *unit
	unitSeq  atomic.Int64
)

func lookupUnit(name string) *unit {
	u, ok := registry.Load(name)
	if !ok {
		return nil
	}
	return u.(*unit)
}

// emitter writes the pongo2 form of a statement tree: text inline, every
// Jinja construct as a one-line gm_* tag naming its piece.
type emitter struct {
	u   *unit
	b   strings.Builder
	num []byte
}

func (e *emitter) add(p any) int {
	e.u.pieces = append(e.u.pieces, p)
	return len(e.u.pieces) - 1
}

// tag writes {% name idx %}. The unit is not spelled out: pongo2 parses the
// source under the unit's name, which every token carries.
func (e *emitter) tag(name string, idx int) {
	e.b.WriteString("{% ")
	e.b.WriteString(name)
	e.b.WriteByte(' ')
	e.num = strconv.AppendInt(e.num[:0], int64(idx), 10)
	e.b.Write(e.num)
	e.b.WriteString(" %}")
}

func (e *emitter) bare(name string) {
	e.b.WriteString("{% ")
	e.b.WriteString(name)
	e.b.WriteString(" %}")
}

const inlineTextMax = 24

func (e *emitter) text(s string) {
	if s == "" {
		return
	}
	// pongo2 would read "{{", "{%" or "{#" in text as its own syntax, so text
	// with any brace goes through a tag. Long text does too: pongo2's lexer
	// costs tens of ns per byte, so a short tag beats rescanning the text.
	// pongo2's lexer also mistakes the byte 0x01 for its EOF marker.
	if len(s) > inlineTextMax || strings.IndexByte(s, '{') >= 0 || strings.IndexByte(s, 1) >= 0 {
		e.tag("gm_text", e.add(s))
		return
	}
	e.b.WriteString(s)
}

func (e *emitter) root(body []stmt) {
	e.tag("gm_root", e.add(nil))
	e.stmts(body)
	e.bare("gm_endroot")
}

// stmts emits a body. Runs of leaf statements (text, output, set, do)
// become one gm_run tag: pongo2 still builds and walks every block, but
// its lexer and parser no longer pay per leaf, which halves parse time.
func (e *emitter) stmts(body []stmt) {
	for i := 0; i < len(body); {
		j := i
		for j < len(body) && isLeaf(body[j]) {
			j++
		}
		switch {
		case j-i >= 2:
			e.tag("gm_run", e.add(body[i:j:j]))
			i = j
		default:
			e.stmt(body[i])
			i++
		}
	}
}

func isLeaf(s stmt) bool {
	switch s.(type) {
	case *textStmt, *outputStmt, *setStmt, *doStmt:
		return true
	}
	return false
}

func (e *emitter) stmt(s stmt) {
	switch s := s.(type) {
	case *textStmt:
		e.text(s.text)
	case *outputStmt:
		if c, ok := s.x.(*constExpr); ok {
			e.text(ToString(c.v))
			return
		}
		e.tag("gm_out", e.add(s))
	case *ifStmt:
		e.tag("gm_if", e.add(s))
		for i, body := range s.bodies {
			if i > 0 {
				e.bare("gm_elif")
			}
			e.stmts(body)
		}
		if s.els != nil {
			e.bare("gm_else")
			e.stmts(s.els)
		}
		e.bare("gm_endif")
	case *forStmt:
		e.tag("gm_for", e.add(s))
		e.stmts(s.body)
		if s.els != nil {
			e.bare("gm_forelse")
			e.stmts(s.els)
		}
		e.bare("gm_endfor")
	case *setStmt:
		e.tag("gm_set", e.add(s))
	case *setBlockStmt:
		e.tag("gm_setblock", e.add(s))
		e.stmts(s.body)
		e.bare("gm_endsetblock")
	case *macroStmt:
		s.m.unit = e.u
		e.tag("gm_macro", e.add(s))
		e.stmts(s.body)
		e.bare("gm_endmacro")
	case *callBlockStmt:
		s.caller.unit = e.u
		e.tag("gm_call", e.add(s))
		e.stmts(s.body)
		e.bare("gm_endcall")
	case *filterBlockStmt:
		e.tag("gm_filter", e.add(s))
		e.stmts(s.body)
		e.bare("gm_endfilter")
	case *withStmt:
		e.tag("gm_with", e.add(s))
		e.stmts(s.body)
		e.bare("gm_endwith")
	case *doStmt:
		e.tag("gm_do", e.add(s))
	case *loopCtlStmt:
		if s.isBreak {
			e.bare("gm_break")
		} else {
			e.bare("gm_continue")
		}
	case *blockStmt:
		e.tag("gm_block", e.add(s))
		e.stmts(s.body)
		e.bare("gm_endblock")
	}
}

// unitLoader serves the emitted source of registered units to pongo2, so
// the template (and each token) is named after its unit.
type unitLoader struct{}

func (unitLoader) Abs(base, name string) string { return name }

func (unitLoader) Get(path string) (io.Reader, error) {
	u := lookupUnit(path)
	if u == nil {
		return nil, fmt.Errorf("no unit %q", path)
	}
	return strings.NewReader(u.src), nil
}

// A TemplateSet is not safe for concurrent parsing (it flips an internal
// flag on every FromString), so each parse borrows one from the pool.
var setPool = sync.Pool{New: func() any {
	registerTags()
	return pongo2.NewSet("gmodel-jinja", unitLoader{})
}}
