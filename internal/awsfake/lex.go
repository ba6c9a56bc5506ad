package awsfake

import (
	"fmt"
	"strings"
)

// The fake reads Athena's SQL only as far as it must to simulate a
// statement's effects: a lexer, and small parsers for the statement head,
// CTAS properties, column lists and select lists (sql.go, columns.go).

type tokKind int

const (
	tEOF    tokKind = iota
	tWord           // bare identifier or keyword; v is lowercased
	tQuoted         // "identifier"; v is the content
	tBack           // `identifier`; v is the content
	tString         // 'literal'; v is the content
	tNumber         // v is the text
	tPunct          // v is the text: one character, or <= >= <> != || ->
)

type token struct {
	kind     tokKind
	v        string
	pos, end int // byte offsets in the statement
}

func (t token) is(kind tokKind, v string) bool { return t.kind == kind && t.v == v }

// isWord reports whether t is one of the given keywords.
func (t token) isWord(ws ...string) bool {
	if t.kind != tWord {
		return false
	}
	for _, w := range ws {
		if t.v == w {
			return true
		}
	}
	return false
}

func (t token) isPunct(p string) bool { return t.is(tPunct, p) }

// isIdent reports whether t can name something: a bare word or a quoted
// identifier.
func (t token) isIdent() bool { return t.kind == tWord || t.kind == tQuoted || t.kind == tBack }

// sqlError is a statement the fake (like Athena) refuses; it becomes the
// query's StateChangeReason.
type sqlError struct{ reason string }

func (e *sqlError) Error() string { return e.reason }

// failf builds a query failure in Athena's style: "ERROR_NAME: message".
func failf(name, format string, args ...any) *sqlError {
	return &sqlError{reason: name + ": " + fmt.Sprintf(format, args...)}
}

// lineCol is the 1-based line and column of a byte offset, as Athena's
// messages give them ("line 1:8: ...").
func lineCol(src string, pos int) string {
	line, col := 1, 1
	for i := 0; i < pos && i < len(src); i++ {
		if src[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d:%d", line, col)
}

// lex splits a statement into tokens, skipping whitespace and comments.
func lex(src string) ([]token, error) {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case strings.HasPrefix(src[i:], "--"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, failf("SYNTAX_ERROR", "%s: unterminated comment", lineCol(src, i))
			}
			i += end + 4
		case c == '\'' || c == '"' || c == '`':
			kind := map[byte]tokKind{'\'': tString, '"': tQuoted, '`': tBack}[c]
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(src) {
					return nil, failf("SYNTAX_ERROR", "%s: unterminated %c", lineCol(src, i), c)
				}
				if src[j] == c {
					if j+1 < len(src) && src[j+1] == c { // doubled quote
						b.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				b.WriteByte(src[j])
				j++
			}
			out = append(out, token{kind: kind, v: b.String(), pos: i, end: j + 1})
			i = j + 1
		case isDigit(c) || (c == '.' && i+1 < len(src) && isDigit(src[i+1])):
			j := i
			for j < len(src) && (isDigit(src[j]) || src[j] == '.' || src[j] == 'e' || src[j] == 'E' ||
				((src[j] == '+' || src[j] == '-') && (src[j-1] == 'e' || src[j-1] == 'E'))) {
				j++
			}
			out = append(out, token{kind: tNumber, v: src[i:j], pos: i, end: j})
			i = j
		case isWordStart(c):
			j := i
			for j < len(src) && isWordChar(src[j]) {
				j++
			}
			out = append(out, token{kind: tWord, v: strings.ToLower(src[i:j]), pos: i, end: j})
			i = j
		default:
			n := 1
			for _, p := range []string{"<=", ">=", "<>", "!=", "||", "->", "=>"} {
				if strings.HasPrefix(src[i:], p) {
					n = 2
				}
			}
			out = append(out, token{kind: tPunct, v: src[i : i+n], pos: i, end: i + n})
			i += n
		}
	}
	out = append(out, token{kind: tEOF, pos: len(src), end: len(src)})
	return out, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isWordStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
func isWordChar(c byte) bool { return isWordStart(c) || isDigit(c) || c == '$' }

// matching returns the index of the token closing the bracket at toks[i]
// ("(" or "["), or -1.
func matching(toks []token, i int) int {
	open := toks[i].v
	closer := map[string]string{"(": ")", "[": "]"}[open]
	depth := 0
	for j := i; j < len(toks); j++ {
		switch {
		case toks[j].isPunct(open):
			depth++
		case toks[j].isPunct(closer):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// splitTop splits toks at depth-0 tokens for which sep is true, dropping
// the separators.
func splitTop(toks []token, sep func(token) bool) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.isPunct("(") || t.isPunct("["):
			depth++
		case t.isPunct(")") || t.isPunct("]"):
			depth--
		case depth == 0 && sep(t):
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	return append(out, toks[start:])
}

func isComma(t token) bool { return t.isPunct(",") }

// text returns the source text the tokens span.
func text(src string, toks []token) string {
	if len(toks) == 0 {
		return ""
	}
	return src[toks[0].pos:toks[len(toks)-1].end]
}
