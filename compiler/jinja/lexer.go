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

type token struct {
	kind tokKind
	pos  pos
	val  string // text, name, unescaped string, operator
	num  int64  // tInt value; tFloat stores math.Float64bits
	// off and end are byte offsets into the normalized source (docs bodies
	// keep their raw text).
	off, end int32
}

func (t *token) float() float64 { return math.Float64frombits(uint64(t.num)) }

// lexer splits a normalized template into text, tag delimiters and the
// expression tokens between them, applying Jinja's whitespace control.
type lexer struct {
	file string
	src  string
	toks []token
	// Positions are computed incrementally: tokens come in source order.
	lastOff int
	lastPos pos
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

func lex(file, src string) ([]token, *Error) {
	l := &lexer{file: file, src: src, lastPos: pos{line: 1, col: 1}}
	l.toks = make([]token, 0, len(src)/7+8)
	if err := l.run(); err != nil {
		return nil, err
	}
	l.toks = append(l.toks, token{kind: tEOF, pos: l.posAt(len(src)), off: int32(len(src)), end: int32(len(src))})
	return l.toks, nil
}

func (l *lexer) posAt(off int) pos {
	if off < l.lastOff {
		l.lastOff, l.lastPos = 0, pos{line: 1, col: 1}
	}
	p := l.lastPos
	for i := l.lastOff; i < off; i++ {
		c := l.src[i]
		switch {
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

func (l *lexer) errAt(off int, format string, args ...any) *Error {
	return errorf(l.file, l.posAt(off), format, args...)
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func trimLeftSpace(s string) string  { return strings.TrimLeftFunc(s, unicode.IsSpace) }
func trimRightSpace(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) }

func (l *lexer) skipSpace(i int) int {
	for i < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += n
	}
	return i
}

func (l *lexer) emitText(text string, off, end int) {
	if text == "" {
		return
	}
	l.toks = append(l.toks, token{kind: tText, val: text, pos: l.posAt(off), off: int32(off), end: int32(end)})
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
	pendingText, textOff := "", 0
	flush := func(end int) {
		l.emitText(pendingText, textOff, end)
		pendingText = ""
	}
	for i < len(s) {
		j := l.findOpen(i)
		if j < 0 {
			if pendingText == "" {
				textOff = i
			}
			pendingText += s[i:]
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
		pendingText += text
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
						pendingText += content
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
			l.toks = append(l.toks, token{kind: tVarBegin, pos: l.posAt(j), off: int32(j), end: int32(j + 2)})
		} else {
			l.toks = append(l.toks, token{kind: tBlockBegin, pos: l.posAt(j), off: int32(j), end: int32(j + 2)})
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
		switch s[:2] {
		case "//", "**", "==", "!=", ">=", "<=":
			return s[:2]
		}
	}
	if len(s) >= 1 && strings.IndexByte("+-/*%~[](){}><=.:|,;", s[0]) >= 0 {
		return s[:1]
	}
	return ""
}

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
	var stack []byte
	for {
		if len(stack) == 0 {
			if isVar {
				if strings.HasPrefix(s[i:], "-}}") {
					l.toks = append(l.toks, token{kind: tVarEnd, pos: l.posAt(i), off: int32(i), end: int32(i + 3)})
					return l.skipSpace(i + 3), nil
				}
				if strings.HasPrefix(s[i:], "}}") {
					l.toks = append(l.toks, token{kind: tVarEnd, pos: l.posAt(i), off: int32(i), end: int32(i + 2)})
					return i + 2, nil
				}
			} else {
				if strings.HasPrefix(s[i:], "-%}") {
					l.toks = append(l.toks, token{kind: tBlockEnd, pos: l.posAt(i), off: int32(i), end: int32(i + 3)})
					return l.skipSpace(i + 3), nil
				}
				if strings.HasPrefix(s[i:], "+%}") {
					l.toks = append(l.toks, token{kind: tBlockEnd, pos: l.posAt(i), off: int32(i), end: int32(i + 3)})
					return i + 3, nil
				}
				if strings.HasPrefix(s[i:], "%}") {
					l.toks = append(l.toks, token{kind: tBlockEnd, pos: l.posAt(i), off: int32(i), end: int32(i + 2)})
					return i + 2, nil
				}
			}
		}
		if i >= len(s) {
			// The parser reports the missing end delimiter with context.
			return i, nil
		}
		c := s[i]
		switch {
		case isSpaceByte(c):
			i++
			continue
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return 0, l.errAt(i, "unexpected char %s at %d", Repr(string(c)), i)
			}
			l.toks = append(l.toks, token{kind: tString, val: unescapeString(s[i+1 : j]), pos: l.posAt(i), off: int32(i), end: int32(j + 1)})
			i = j + 1
			continue
		case c >= '0' && c <= '9':
			j, tok, err := l.lexNumber(i)
			if err != nil {
				return 0, err
			}
			l.toks = append(l.toks, tok)
			i = j
			continue
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
			j := i
			for j < len(s) {
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
			l.toks = append(l.toks, token{kind: tName, val: s[i:j], pos: l.posAt(i), off: int32(i), end: int32(j)})
			i = j
			continue
		}
		op := matchOperator(s[i:])
		if op == "" {
			return 0, l.errAt(i, "unexpected char %s at %d", Repr(string(c)), i)
		}
		switch op {
		case "(", "[", "{":
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
		l.toks = append(l.toks, token{kind: tOp, val: op, pos: l.posAt(i), off: int32(i), end: int32(i + len(op))})
		i += len(op)
	}
}

func (l *lexer) lexNumber(i int) (int, token, *Error) {
	s := l.src
	start := i
	prevDot := len(l.toks) > 0 && l.toks[len(l.toks)-1].kind == tOp && l.toks[len(l.toks)-1].val == "."
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
		return j, token{kind: tInt, num: n, val: s[i:j], pos: l.posAt(i), off: int32(i), end: int32(j)}, nil
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
		return j, token{kind: tFloat, num: int64(math.Float64bits(f)), val: s[start:j], pos: l.posAt(i), off: int32(i), end: int32(j)}, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		// Python ints are unbounded; the closest we can do is a float.
		f, _ := strconv.ParseFloat(text, 64)
		return j, token{kind: tFloat, num: int64(math.Float64bits(f)), val: s[start:j], pos: l.posAt(i), off: int32(i), end: int32(j)}, nil
	}
	return j, token{kind: tInt, num: n, val: s[start:j], pos: l.posAt(i), off: int32(i), end: int32(j)}, nil
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
