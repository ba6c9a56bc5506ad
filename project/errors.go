package project

import (
	"cmp"
	"errors"
	"fmt"
	"github.com/gmodel/gmodel/internal/suggest"
	"slices"
	"strconv"
	"strings"
)

// Error is one problem in a user's file, printed as "file:line:col: msg"
// with an optional hint on the next line.
type Error struct {
	Pos  Pos
	Msg  string
	Hint string
	Err  error // the underlying error, if any (a render hook's, say)
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Pos.String())
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("\n  hint: ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// RenderError is the problem err, returned by a render hook (see
// LoadOptions.Render), at pos: its message, and its hint when an error in
// its chain has a `Hint() string` method.
func RenderError(pos Pos, err error) *Error {
	e := &Error{Pos: pos, Msg: err.Error(), Err: err}
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		e.Hint = h.Hint()
	}
	return e
}

// String formats the position as "file:line:col", leaving out the parts
// that are unknown.
func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line <= 0:
		return p.File
	case p.Col <= 0:
		return p.File + ":" + strconv.Itoa(p.Line)
	}
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// ErrorList collects every problem found in one pass so that the user sees
// all of them at once. It is an error itself: one problem per line, sorted
// by file, line and column.
type ErrorList []*Error

// Add records a problem at pos.
func (l *ErrorList) Add(pos Pos, format string, args ...any) {
	*l = append(*l, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// Append records problems already built (with hints, say).
func (l *ErrorList) Append(errs ...*Error) {
	*l = append(*l, errs...)
}

// Sort orders the list by file, line and column and drops exact repeats.
func (l *ErrorList) Sort() {
	slices.SortStableFunc(*l, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
		)
	})
	*l = slices.CompactFunc(*l, func(a, b *Error) bool {
		return a.Pos == b.Pos && a.Msg == b.Msg && a.Hint == b.Hint
	})
}

// Err returns the sorted list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}

func (l ErrorList) Error() string {
	sorted := slices.Clone(l)
	sorted.Sort()
	lines := make([]string, len(sorted))
	for i, e := range sorted {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives errors.Is and errors.As the problems in the list.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// DidYouMean returns the candidate closest to name when it is close enough
// to be a likely typo, or "" when none is.
func DidYouMean(name string, candidates []string) string {
	best, bestDist := "", -1
	limit := 1
	switch n := len(name); {
	case n >= 9:
		limit = 3
	case n >= 5:
		limit = 2
	}
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := suggest.EditDistance(strings.ToLower(name), strings.ToLower(c))
		if d <= limit && (bestDist < 0 || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// didYouMeanHint is DidYouMean phrased as a hint, or "".
func didYouMeanHint(name string, candidates []string) string {
	if s := DidYouMean(name, candidates); s != "" {
		return fmt.Sprintf("did you mean '%s'?", s)
	}
	return ""
}
