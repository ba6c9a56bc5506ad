package selector

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is a problem with a selection: a malformed spec, an unknown method,
// a missing selector, or a mistake in selectors.yml. Problems in
// selectors.yml carry the file and position and print as
// "selectors.yml:3:7: msg".
type Error struct {
	File      string // set for problems in a selectors file
	Line, Col int    // 1-based; 0 when unknown
	Spec      string // the raw selection spec involved, if any
	Msg       string
	Hint      string
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File == "":
	case e.Line <= 0:
		b.WriteString(e.File + ": ")
	case e.Col <= 0:
		b.WriteString(e.File + ":" + strconv.Itoa(e.Line) + ": ")
	default:
		b.WriteString(e.File + ":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Col) + ": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("\n  hint: ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// ErrorList holds every problem ParseSelectors found, in file order, so the
// user sees all of them at once. errors.As finds the *Error values inside.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap exposes the individual errors to errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

func errorf(spec, format string, args ...any) *Error {
	return &Error{Spec: spec, Msg: fmt.Sprintf(format, args...)}
}

// suggest returns the known word closest to word, when it is close enough
// to be a likely typo, for "did you mean" hints.
func suggest(word string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(word, k); d < bestDist || d == bestDist && best != "" && k < best {
			best, bestDist = k, d
		}
	}
	if bestDist > 2 || bestDist >= len(word) {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func didYouMean(word string, known []string) string {
	if s := suggest(word, known); s != "" {
		return "did you mean " + strconv.Quote(s) + "?"
	}
	return ""
}
