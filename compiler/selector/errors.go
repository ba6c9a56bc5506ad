package selector

import (
	"fmt"
	"github.com/gmodel/gmodel/internal/suggest"
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

// closest returns the known word closest to word, when it is close enough
// to be a likely typo, for "did you mean" hints.
func closest(word string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := suggest.EditDistance(word, k); d < bestDist || d == bestDist && best != "" && k < best {
			best, bestDist = k, d
		}
	}
	if bestDist > 2 || bestDist >= len(word) {
		return ""
	}
	return best
}

func didYouMean(word string, known []string) string {
	if s := closest(word, known); s != "" {
		return "did you mean " + strconv.Quote(s) + "?"
	}
	return ""
}
