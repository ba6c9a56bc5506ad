package awsfake

import (
	"fmt"
	"strconv"
	"strings"

	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
)

// partitionFilter compiles GetPartitions' Expression: comparisons of
// partition keys with literals (= <> != < <= > >=, IN, BETWEEN, LIKE),
// AND, OR, NOT and parentheses. Values compare as numbers when both sides
// are numbers, else as strings.
func partitionFilter(expr string, keys []gluetypes.Column) (func([]string) bool, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, fmt.Errorf("expression %q: %v", expr, err)
	}
	idx := map[string]int{}
	for i, k := range keys {
		idx[strings.ToLower(deref(k.Name))] = i
	}
	fp := &filterParser{toks: toks, keys: idx}
	f, err := fp.or()
	if err == nil && fp.peek().kind != tEOF {
		err = fmt.Errorf("unexpected %q", fp.peek().v)
	}
	if err != nil {
		return nil, fmt.Errorf("expression %q: %v", expr, err)
	}
	return f, nil
}

type filterParser struct {
	toks []token
	i    int
	keys map[string]int
}

type pred func([]string) bool

func (f *filterParser) peek() token { return f.toks[min(f.i, len(f.toks)-1)] }

func (f *filterParser) or() (pred, error) {
	l, err := f.and()
	for err == nil && f.peek().isWord("or") {
		f.i++
		var r pred
		if r, err = f.and(); err == nil {
			a, b := l, r
			l = func(v []string) bool { return a(v) || b(v) }
		}
	}
	return l, err
}

func (f *filterParser) and() (pred, error) {
	l, err := f.not()
	for err == nil && f.peek().isWord("and") {
		f.i++
		var r pred
		if r, err = f.not(); err == nil {
			a, b := l, r
			l = func(v []string) bool { return a(v) && b(v) }
		}
	}
	return l, err
}

func (f *filterParser) not() (pred, error) {
	if f.peek().isWord("not") {
		f.i++
		p, err := f.not()
		if err != nil {
			return nil, err
		}
		return func(v []string) bool { return !p(v) }, nil
	}
	if f.peek().isPunct("(") {
		f.i++
		p, err := f.or()
		if err != nil {
			return nil, err
		}
		if !f.peek().isPunct(")") {
			return nil, fmt.Errorf("missing )")
		}
		f.i++
		return p, nil
	}
	return f.comparison()
}

func (f *filterParser) literal() (string, error) {
	t := f.peek()
	if t.kind != tString && t.kind != tNumber {
		return "", fmt.Errorf("expected a literal, found %q", t.v)
	}
	f.i++
	return t.v, nil
}

func (f *filterParser) comparison() (pred, error) {
	t := f.peek()
	if !t.isIdent() {
		return nil, fmt.Errorf("expected a partition key, found %q", t.v)
	}
	k, ok := f.keys[strings.ToLower(t.v)]
	if !ok {
		return nil, fmt.Errorf("unknown partition key %q", t.v)
	}
	f.i++
	op := f.peek()
	f.i++
	switch {
	case op.kind == tPunct && compareOps[op.v]:
		lit, err := f.literal()
		if err != nil {
			return nil, err
		}
		return func(v []string) bool { return compareOp(compareValues(v[k], lit), op.v) }, nil
	case op.isWord("in"):
		if !f.peek().isPunct("(") {
			return nil, fmt.Errorf("expected ( after IN")
		}
		f.i++
		var lits []string
		for {
			lit, err := f.literal()
			if err != nil {
				return nil, err
			}
			lits = append(lits, lit)
			if f.peek().isPunct(")") {
				f.i++
				break
			}
			if !f.peek().isPunct(",") {
				return nil, fmt.Errorf("expected , or ) in IN list")
			}
			f.i++
		}
		return func(v []string) bool {
			for _, l := range lits {
				if compareValues(v[k], l) == 0 {
					return true
				}
			}
			return false
		}, nil
	case op.isWord("between"):
		lo, err := f.literal()
		if err != nil {
			return nil, err
		}
		if !f.peek().isWord("and") {
			return nil, fmt.Errorf("expected AND in BETWEEN")
		}
		f.i++
		hi, err := f.literal()
		if err != nil {
			return nil, err
		}
		return func(v []string) bool { return compareValues(v[k], lo) >= 0 && compareValues(v[k], hi) <= 0 }, nil
	case op.isWord("like"):
		lit, err := f.literal()
		if err != nil {
			return nil, err
		}
		return func(v []string) bool { return likeMatch(v[k], lit) }, nil
	}
	return nil, fmt.Errorf("unsupported operator %q", op.v)
}

var compareOps = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

func compareValues(a, b string) int {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

func compareOp(c int, op string) bool {
	switch op {
	case "=":
		return c == 0
	case "<>", "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// likeMatch matches SQL LIKE: % any run, _ one character.
func likeMatch(s, pat string) bool {
	if pat == "" {
		return s == ""
	}
	switch pat[0] {
	case '%':
		for i := 0; i <= len(s); i++ {
			if likeMatch(s[i:], pat[1:]) {
				return true
			}
		}
		return false
	case '_':
		return s != "" && likeMatch(s[1:], pat[1:])
	}
	return s != "" && s[0] == pat[0] && likeMatch(s[1:], pat[1:])
}
