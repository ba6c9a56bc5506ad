package jinja

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tText
	tVarBegin
	tVarEnd
	tBlockBegin
	tBlockEnd
	tName
	tString
	tInt
	tFloat
	tOp
)

// A token holds no pointers, so token buffers cost the garbage collector
// nothing: its value (text, name, unescaped string, operator) is the
// source range vs:ve, or, when it is not a piece of the source (an escaped
// string, text joined around a comment), strs[vs] with ve < 0. For the
// delimiters ({{ }} {% %}) vs:ve is where they stand in the normalized
// source (docs bodies keep their raw text).
type token struct {
	kind   tokKind
	pos    pos
	vs, ve int32
	num    int64 // tInt value; tFloat stores math.Float64bits; tOp its opCode
}

// opCode packs an operator (one or two bytes) into a number, so that the
// parser compares operators without slicing the source. For a constant op
// it is a constant.
func opCode(op string) int64 {
	if len(op) == 1 {
		return int64(op[0])
	}
	return int64(op[0]) | int64(op[1])<<8
}

func (t *token) float() float64 { return math.Float64frombits(uint64(t.num)) }

// lexer splits a normalized template into text, tag delimiters and the
// expression tokens between them, applying Jinja's whitespace control.
type lexer struct {
	file string
	src  string
	toks []token
	strs []string // token values that are not pieces of src
	// Positions are computed incrementally: tokens come in source order.
	lastOff   int
	lastPos   pos
	lineStart int  // offset where the line of lastOff starts
	ascii     bool // src is all ASCII: a column is a byte distance
	n         tokCounts
}

// tokCounts counts the tokens that make each kind of AST node, as the
// lexer emits them, so that the parser can size its slabs without another
// pass over the tokens (see parser.sizeSlabs).
type tokCounts struct {
	text, vars, blocks, names, consts  int
	calls, dots, commas, equals, lists int
	ifs, fors                          int
}

// prevKind is the kind of the last token emitted.
func (l *lexer) prevKind() tokKind {
	if len(l.toks) == 0 {
		return tEOF
	}
	return l.toks[len(l.toks)-1].kind
}

// normalizeSource applies Jinja's source rules: every newline sequence
// becomes "\n" and a single trailing newline is dropped
// (keep_trailing_newline=False).
func normalizeSource(src string) string {
	if strings.IndexByte(src, '\r') >= 0 {
		src = strings.ReplaceAll(src, "\r\n", "\n")
		src = strings.ReplaceAll(src, "\r", "\n")
	}
	return strings.TrimSuffix(src, "\n")
}

// lex tokenizes src, appending to buf (normally a pooled, empty slice). It
// also returns the values of the tokens that are not pieces of src.
func lex(file, src string, buf []token) ([]token, []string, tokCounts, *Error) {
	l := &lexer{file: file, src: src, lastPos: pos{line: 1, col: 1}, ascii: isASCII(src)}
	if want := len(src)/7 + 8; cap(buf) < want {
		buf = make([]token, 0, want)
	}
	l.toks = buf[:0]
	if err := l.run(); err != nil {
		return l.toks, nil, l.n, err
	}
	l.toks = append(l.toks, token{kind: tEOF, pos: l.posAt(len(src)), vs: int32(len(src)), ve: int32(len(src))})
	return l.toks, l.strs, l.n, nil
}

// valueAt returns the value of a token whose text is s: a range of the
// source when s is the piece src[off:off+len(s)], else an entry of strs.
func (l *lexer) valueAt(s string, off int, sub bool) (vs, ve int32) {
	if sub {
		return int32(off), int32(off + len(s))
	}
	l.strs = append(l.strs, s)
	return int32(len(l.strs) - 1), -1
}

// tokVal returns the value of t, lexed from src with side values strs.
func tokVal(src string, strs []string, t *token) string {
	if t.ve >= 0 {
		return src[t.vs:t.ve]
	}
	return strs[t.vs]
}

func (l *lexer) posAt(off int) pos {
	if off < l.lastOff {
		l.lastOff, l.lastPos, l.lineStart = 0, pos{line: 1, col: 1}, 0
	}
	p := l.lastPos
	seg := l.src[l.lastOff:off]
	if l.ascii {
		// Only newlines matter: the column is the distance from the line
		// start.
		if len(seg) > 16 {
			if nl := strings.LastIndexByte(seg, '\n'); nl >= 0 {
				p.line += int32(strings.Count(seg[:nl+1], "\n"))
				l.lineStart = l.lastOff + nl + 1
			}
		} else {
			for i := 0; i < len(seg); i++ {
				if seg[i] == '\n' {
					p.line++
					l.lineStart = l.lastOff + i + 1
				}
			}
		}
		p.col = int32(off-l.lineStart) + 1
		l.lastOff, l.lastPos = off, p
		return p
	}
	if len(seg) > 16 {
		// Long stretches (text) skip whole lines at once.
		if nl := strings.LastIndexByte(seg, '\n'); nl >= 0 {
			p.line += int32(strings.Count(seg[:nl+1], "\n"))
			p.col = 1
			seg = seg[nl+1:]
		}
	}
	for i := 0; i < len(seg); i++ {
		switch c := seg[i]; {
		case c == '\n':
			p.line++
			p.col = 1
		case c < 0x80 || c >= 0xC0:
			// Count runes, not continuation bytes.
			p.col++
		}
	}
	l.lastOff, l.lastPos = off, p
	return p
}

// codePos is posAt for the tokens of a tag, where lexCode reports every
// newline it passes (newline), so the line is known.
func (l *lexer) codePos(off int) pos {
	if !l.ascii || off < l.lastOff {
		return l.posAt(off)
	}
	p := pos{line: l.lastPos.line, col: int32(off-l.lineStart) + 1}
	l.lastOff, l.lastPos = off, p
	return p
}

// newline records that lexCode passed a newline at off (and no other since
// the last position taken).
func (l *lexer) newline(off int) {
	if off < l.lastOff {
		return
	}
	l.lastOff, l.lastPos, l.lineStart = off+1, pos{line: l.lastPos.line + 1, col: 1}, off+1
}

// isASCII reports whether s is all ASCII, 32 and then eight bytes at a
// time.
func isASCII(s string) bool {
	for len(s) >= 32 {
		if (le64(s[0:8])|le64(s[8:16])|le64(s[16:24])|le64(s[24:32]))&0x8080808080808080 != 0 {
			return false
		}
		s = s[32:]
	}
	for len(s) >= 8 {
		b := s[:8]
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if w&0x8080808080808080 != 0 {
			return false
		}
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// le64 reads the first eight bytes of b as a little-endian word.
func le64(b string) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func (l *lexer) errAt(off int, format string, args ...any) *Error {
	return errorf(l.file, l.posAt(off), format, args...)
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func trimRightSpace(s string) string {
	i := len(s)
	for i > 0 && isSpaceByte(s[i-1]) {
		i--
	}
	if i > 0 && s[i-1] >= utf8.RuneSelf {
		return strings.TrimRightFunc(s[:i], unicode.IsSpace)
	}
	return s[:i]
}

func (l *lexer) skipSpace(i int) int {
	for i < len(l.src) {
		if c := l.src[i]; c < utf8.RuneSelf {
			if !isSpaceByte(c) {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(l.src[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += n
	}
	return i
}

// emitText adds a text token; text is src[sub:sub+len(text)] when sub >= 0.
func (l *lexer) emitText(text string, sub, off, end int) {
	if text == "" {
		return
	}
	vs, ve := l.valueAt(text, sub, sub >= 0)
	l.n.text++
	l.toks = append(l.toks, token{kind: tText, vs: vs, ve: ve, pos: l.posAt(off)})
}

// findOpen returns the offset of the next "{{", "{%" or "{#" at or after i.
func (l *lexer) findOpen(i int) int {
	for {
		j := strings.IndexByte(l.src[i:], '{')
		if j < 0 {
			return -1
		}
		j += i
		if j+1 < len(l.src) {
			switch l.src[j+1] {
			case '{', '%', '#':
				return j
			}
		}
		i = j + 1
	}
}

// matchRaw reports whether a {% raw %} (or endraw) tag starts at i and
// returns its end offset and whitespace-control flags.
func (l *lexer) matchWordTag(i int, word string) (end int, stripBefore, stripAfter, ok bool) {
	s := l.src
	if !strings.HasPrefix(s[i:], "{%") {
		return 0, false, false, false
	}
	j := i + 2
	if j < len(s) && (s[j] == '-' || s[j] == '+') {
		stripBefore = s[j] == '-'
		j++
	}
	for j < len(s) && isSpaceByte(s[j]) {
		j++
	}
	if !strings.HasPrefix(s[j:], word) {
		return 0, false, false, false
	}
	j += len(word)
	for j < len(s) && isSpaceByte(s[j]) {
		j++
	}
	switch {
	case strings.HasPrefix(s[j:], "-%}"):
		return j + 3, stripBefore, true, true
	case strings.HasPrefix(s[j:], "+%}"):
		return j + 3, stripBefore, false, true
	case strings.HasPrefix(s[j:], "%}"):
		return j + 2, stripBefore, false, true
	}
	return 0, false, false, false
}

func (l *lexer) run() *Error {
	s := l.src
	i := 0
	// pendingText is src[pendSub:...] while it is one piece of the source,
	// and pendSub is -1 once pieces around a comment or raw block joined.
	pendingText, textOff, pendSub := "", 0, -1
	addText := func(piece string, off int) {
		switch {
		case piece == "":
		case pendingText == "":
			pendingText, pendSub = piece, off
		default:
			pendingText += piece
			pendSub = -1
		}
	}
	flush := func(end int) {
		l.emitText(pendingText, pendSub, textOff, end)
		pendingText, pendSub = "", -1
	}
	for i < len(s) {
		j := l.findOpen(i)
		if j < 0 {
			if pendingText == "" {
				textOff = i
			}
			addText(s[i:], i)
			i = len(s)
			break
		}
		text := s[i:j]
		stripBefore := j+2 < len(s) && s[j+2] == '-'
		if stripBefore {
			text = trimRightSpace(text)
		}
		if pendingText == "" {
			textOff = i
		}
		addText(text, i)
		switch s[j+1] {
		case '#':
			k := strings.Index(s[j+2:], "#}")
			if k < 0 {
				err := l.errAt(j, "Missing end of comment tag")
				err.Hint = "this '{#' is never closed: end the comment with '#}'"
				return err
			}
			k += j + 2
			i = k + 2
			if k > j+2 && s[k-1] == '-' {
				i = l.skipSpace(i)
			}
			// Comments vanish; text on both sides joins into one token.
			continue
		case '%':
			if end, _, stripAfter, ok := l.matchWordTag(j, "raw"); ok {
				body := end
				if stripAfter {
					body = l.skipSpace(body)
				}
				k := body
				for {
					m := strings.Index(s[k:], "{%")
					if m < 0 {
						err := l.errAt(j, "Missing end of raw directive")
						err.Hint = "this {% raw %} is never closed: add {% endraw %}"
						return err
					}
					k += m
					if e2, sb, sa, ok := l.matchWordTag(k, "endraw"); ok {
						content := s[body:k]
						if sb {
							content = trimRightSpace(content)
						}
						addText(content, body)
						i = e2
						if sa {
							i = l.skipSpace(i)
						}
						break
					}
					k += 2
				}
				continue
			}
		}
		flush(j)
		if s[j+1] == '{' {
			l.n.vars++
			l.toks = append(l.toks, token{kind: tVarBegin, pos: l.posAt(j), vs: int32(j), ve: int32(j + 2)})
		} else {
			l.n.blocks++
			l.toks = append(l.toks, token{kind: tBlockBegin, pos: l.posAt(j), vs: int32(j), ve: int32(j + 2)})
		}
		i = j + 2
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		var err *Error
		i, err = l.lexCode(i, s[j+1] == '{')
		if err != nil {
			return err
		}
		textOff = i
	}
	flush(len(s))
	return nil
}

// matchOperator returns the longest operator at the start of s.
func matchOperator(s string) string {
	if len(s) >= 2 {
		switch c0, c1 := s[0], s[1]; {
		case c1 == '=' && (c0 == '=' || c0 == '!' || c0 == '>' || c0 == '<'),
			c1 == c0 && (c0 == '/' || c0 == '*'):
			return s[:2]
		}
	}
	if len(s) >= 1 && opChars[s[0]] {
		return s[:1]
	}
	return ""
}

// Byte classes of the code inside tags, for lexCode's dispatch.
const (
	clsOther byte = iota // operators and invalid bytes
	clsEnd               // may start a closing delimiter: } % - +
	clsSpace
	clsQuote
	clsDigit
	clsName // starts a name: letter, '_' or a non-ASCII byte
)

var codeClass = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		switch b := byte(c); {
		case b == '}' || b == '%' || b == '-' || b == '+':
			t[c] = clsEnd
		case isSpaceByte(b):
			t[c] = clsSpace
		case b == '"' || b == '\'':
			t[c] = clsQuote
		case b >= '0' && b <= '9':
			t[c] = clsDigit
		case b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80:
			t[c] = clsName
		}
	}
	return t
}()

// identByte are the ASCII bytes of names: letters, digits and '_'.
var identByte = func() (t [256]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	return t
}()

// opChars are the one-byte operators.
var opChars = func() (t [256]bool) {
	for _, c := range []byte("+-/*%~[](){}><=.:|,;") {
		t[c] = true
	}
	return t
}()

func opener(c byte) byte {
	switch c {
	case ')':
		return '('
	case ']':
		return '['
	}
	return '{'
}

func closer(c byte) byte {
	switch c {
	case '(':
		return ')'
	case '[':
		return ']'
	}
	return '}'
}

// lexCode tokenizes the inside of a tag up to and including its end
// delimiter. End delimiters only count with brackets balanced, as in Jinja,
// so `{{ {'a': {'b': 1}}}}` works.
func (l *lexer) lexCode(i int, isVar bool) (int, *Error) {
	s := l.src
	var stackBuf [16]byte
	stack := stackBuf[:0]
	for {
		if i >= len(s) {
			// The parser reports the missing end delimiter with context.
			return i, nil
		}
		c := s[i]
		cls := codeClass[c]
		if cls == clsEnd && len(stack) == 0 {
			if isVar {
				if strings.HasPrefix(s[i:], "-}}") {
					l.toks = append(l.toks, token{kind: tVarEnd, pos: l.codePos(i), vs: int32(i), ve: int32(i + 3)})
					return l.skipSpace(i + 3), nil
				}
				if strings.HasPrefix(s[i:], "}}") {
					l.toks = append(l.toks, token{kind: tVarEnd, pos: l.codePos(i), vs: int32(i), ve: int32(i + 2)})
					return i + 2, nil
				}
			} else {
				if strings.HasPrefix(s[i:], "-%}") {
					l.toks = append(l.toks, token{kind: tBlockEnd, pos: l.codePos(i), vs: int32(i), ve: int32(i + 3)})
					return l.skipSpace(i + 3), nil
				}
				if strings.HasPrefix(s[i:], "+%}") {
					l.toks = append(l.toks, token{kind: tBlockEnd, pos: l.codePos(i), vs: int32(i), ve: int32(i + 3)})
					return i + 3, nil
				}
				if strings.HasPrefix(s[i:], "%}") {
					l.toks = append(l.toks, token{kind: tBlockEnd, pos: l.codePos(i), vs: int32(i), ve: int32(i + 2)})
					return i + 2, nil
				}
			}
		}
		switch cls {
		case clsSpace:
			for ; i < len(s) && isSpaceByte(s[i]); i++ {
				if s[i] == '\n' {
					l.newline(i)
				}
			}
			continue
		case clsQuote:
			// The closing quote: the next one, unless a backslash comes
			// first and may escape it.
			j := len(s)
			if k := strings.IndexByte(s[i+1:], c); k >= 0 {
				j = i + 1 + k
			}
			if strings.IndexByte(s[i+1:j], '\\') >= 0 {
				j = i + 1
				for j < len(s) && s[j] != c {
					if s[j] == '\\' {
						j++
					}
					j++
				}
			}
			if j >= len(s) {
				return 0, l.errAt(i, "unexpected char %s at %d", Repr(string(c)), i)
			}
			raw := s[i+1 : j]
			vs, ve := int32(i+1), int32(j)
			if strings.IndexByte(raw, '\\') >= 0 {
				if str := unescapeString(raw); str != raw {
					vs, ve = l.valueAt(str, i+1, false)
				}
			}
			l.n.consts++
			l.toks = append(l.toks, token{kind: tString, vs: vs, ve: ve, pos: l.codePos(i)})
			for k := strings.IndexByte(raw, '\n'); k >= 0; {
				l.newline(i + 1 + k)
				next := strings.IndexByte(raw[k+1:], '\n')
				if next < 0 {
					break
				}
				k += 1 + next
			}
			i = j + 1
			continue
		case clsDigit:
			j, tok, err := l.lexNumber(i)
			if err != nil {
				return 0, err
			}
			l.n.consts++
			l.toks = append(l.toks, tok)
			i = j
			continue
		case clsName:
			j := i
			for j < len(s) {
				// ASCII name bytes; a name never starts with a digit, which
				// this case excludes.
				for j < len(s) && identByte[s[j]] {
					j++
				}
				if j >= len(s) || s[j] < utf8.RuneSelf {
					break
				}
				r, n := utf8.DecodeRuneInString(s[j:])
				if r == '_' || unicode.IsLetter(r) || (j > i && unicode.IsDigit(r)) {
					j += n
					continue
				}
				break
			}
			if j == i {
				r, _ := utf8.DecodeRuneInString(s[i:])
				return 0, l.errAt(i, "unexpected char %s at %d", Repr(string(r)), i)
			}
			l.n.names++
			if l.prevKind() == tBlockBegin {
				switch s[i:j] {
				case "if":
					l.n.ifs++
				case "for":
					l.n.fors++
				}
			}
			l.toks = append(l.toks, token{kind: tName, vs: int32(i), ve: int32(j), pos: l.codePos(i)})
			i = j
			continue
		}
		op := matchOperator(s[i:])
		if op == "" {
			return 0, l.errAt(i, "unexpected char %s at %d", Repr(string(c)), i)
		}
		switch op {
		case ".":
			l.n.dots++
		case ",":
			l.n.commas++
		case "=":
			l.n.equals++
		}
		switch op {
		case "(", "[", "{":
			switch op[0] {
			case '(':
				if k := l.prevKind(); k == tName || k == tOp {
					l.n.calls++
				}
			case '[':
				l.n.lists++
			}
			stack = append(stack, op[0])
		case ")", "]", "}":
			if len(stack) == 0 {
				return 0, l.errAt(i, "unexpected '%s'", op)
			}
			if open := stack[len(stack)-1]; open != opener(op[0]) {
				return 0, l.errAt(i, "unexpected '%s', expected '%s'", op, string(closer(open)))
			}
			stack = stack[:len(stack)-1]
		}
		l.toks = append(l.toks, token{kind: tOp, vs: int32(i), ve: int32(i + len(op)), pos: l.codePos(i), num: opCode(op)})
		i += len(op)
	}
}

func (l *lexer) lexNumber(i int) (int, token, *Error) {
	s := l.src
	// Fast path: a short run of plain digits, ending in neither a name,
	// '.', '_' nor an exponent.
	if j, n, ok := plainInt(s, i); ok {
		return j, token{kind: tInt, num: n, vs: int32(i), ve: int32(j), pos: l.codePos(i)}, nil
	}
	start := i
	prevDot := len(l.toks) > 0 && l.toks[len(l.toks)-1].kind == tOp && tokVal(s, l.strs, &l.toks[len(l.toks)-1]) == "."
	if s[i] == '0' && i+1 < len(s) && strings.ContainsRune("xXoObB", rune(s[i+1])) {
		base := map[byte]int{'x': 16, 'o': 8, 'b': 2}[s[i+1]|0x20]
		j := i + 2
		for j < len(s) && (isHexDigit(s[j]) || s[j] == '_') {
			j++
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(s[i+2:j], "_", ""), base, 64)
		if err != nil {
			return 0, token{}, l.errAt(i, "invalid number literal %q", s[i:j])
		}
		return j, token{kind: tInt, num: n, vs: int32(i), ve: int32(j), pos: l.codePos(i)}, nil
	}
	digits := func(j int) int {
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '_' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9') {
			j++
		}
		return j
	}
	j := digits(i)
	isFloat := false
	if !prevDot {
		if j+1 < len(s) && s[j] == '.' && s[j+1] >= '0' && s[j+1] <= '9' {
			j = digits(j + 1)
			isFloat = true
		}
		if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
			k := j + 1
			if k < len(s) && (s[k] == '+' || s[k] == '-') {
				k++
			}
			if k < len(s) && s[k] >= '0' && s[k] <= '9' {
				j = digits(k)
				isFloat = true
			}
		}
	}
	text := strings.ReplaceAll(s[start:j], "_", "")
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil && !strings.Contains(err.Error(), "range") {
			return 0, token{}, l.errAt(i, "invalid number literal %q", s[start:j])
		}
		return j, token{kind: tFloat, num: int64(math.Float64bits(f)), vs: int32(start), ve: int32(j), pos: l.codePos(i)}, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		// Python ints are unbounded; the closest we can do is a float.
		f, _ := strconv.ParseFloat(text, 64)
		return j, token{kind: tFloat, num: int64(math.Float64bits(f)), vs: int32(start), ve: int32(j), pos: l.codePos(i)}, nil
	}
	return j, token{kind: tInt, num: n, vs: int32(start), ve: int32(j), pos: l.codePos(i)}, nil
}

// plainInt reads the digits at s[i:] when they are a whole decimal
// literal of at most 18 digits (no prefix, '_', fraction or exponent).
func plainInt(s string, i int) (int, int64, bool) {
	if s[i] == '0' && i+1 < len(s) && (s[i+1]|0x20 == 'x' || s[i+1]|0x20 == 'o' || s[i+1]|0x20 == 'b') {
		return 0, 0, false
	}
	n := int64(0)
	j := i
	for ; j < len(s) && s[j] >= '0' && s[j] <= '9'; j++ {
		n = n*10 + int64(s[j]-'0')
	}
	if j-i > 18 || j < len(s) && (s[j] == '.' || s[j] == '_' || s[j] == 'e' || s[j] == 'E') {
		return 0, 0, false
	}
	return j, n, true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// unescapeString decodes Python's unicode-escape as Jinja applies it to
// string literals: unknown escapes such as `\d` keep their backslash, which
// regexes in SQL templates rely on.
func unescapeString(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '\n':
		case '\\':
			b.WriteByte('\\')
		case '\'':
			b.WriteByte('\'')
		case '"':
			b.WriteByte('"')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+n <= len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32); err == nil {
					b.WriteRune(rune(v))
					i += n
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteByte(e)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}
