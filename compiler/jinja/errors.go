package jinja

import (
	"errors"
	"fmt"
	"github.com/gmodel/gmodel/internal/suggest"
	"runtime/debug"
	"strconv"
	"strings"
)

// Error is a problem in a template, positioned in the original source.
type Error struct {
	File      string
	Line, Col int
	Msg       string
	// Hint is advice on the fix, "" if there is none. A Func's error
	// gives one by having a `Hint() string` method.
	Hint string
	// Calls are the macro calls the error came out of, innermost first,
	// when it happened inside a macro: File:Line:Col is then in the
	// macro's file, and Calls say who called it.
	Calls []Frame
	// Err is the underlying cause, e.g. the error a Func returned.
	Err error

	filter string // the unknown filter, for a did-you-mean
}

// Frame is one macro call: Macro was called at File:Line:Col.
type Frame struct {
	Macro     string
	File      string
	Line, Col int
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Col))
	}
	b.WriteString(": " + e.Msg)
	if h := e.FullHint(); h != "" {
		b.WriteString("\n  hint: " + h)
	}
	return b.String()
}

// FullHint is Hint followed by the macro calls the error came out of, as
// one line: what to print under the error.
func (e *Error) FullHint() string {
	parts := make([]string, 0, len(e.Calls)+1)
	if e.Hint != "" {
		parts = append(parts, e.Hint)
	}
	for _, f := range e.Calls {
		parts = append(parts, fmt.Sprintf("in macro '%s', called at %s:%d:%d", f.Macro, f.File, f.Line, f.Col))
	}
	return strings.Join(parts, "; ")
}

// hinted is an error with advice for the user; positioned moves the hint
// into the *Error.
type hinted struct{ msg, hint string }

func (e *hinted) Error() string { return e.msg }
func (e *hinted) Hint() string  { return e.hint }

// hintOf returns the hint an error in err's chain carries, or "".
func hintOf(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// pos is a position in the original template source.
type pos struct {
	line, col int32
}

// errorf makes a positioned *Error for file.
func errorf(file string, p pos, format string, args ...any) *Error {
	return &Error{File: file, Line: int(p.line), Col: int(p.col), Msg: fmt.Sprintf(format, args...)}
}

// positioned attaches a position to err unless it already carries one: the
// innermost position (e.g. inside a called macro) is the most useful.
func positioned(err error, file string, p pos) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*Error); ok || isSignal(err) {
		return err
	}
	// A Func may wrap an *Error (e.g. from a macro it called): keep that
	// inner position but stay an *Error so callers can type-assert.
	var je *Error
	if errors.As(err, &je) {
		msg := err.Error()
		if h := je.FullHint(); h != "" {
			msg = strings.Replace(msg, "\n  hint: "+h, "", 1)
		}
		return &Error{File: je.File, Line: je.Line, Col: je.Col, Msg: msg, Hint: je.Hint, Calls: je.Calls, Err: err}
	}
	return &Error{File: file, Line: int(p.line), Col: int(p.col), Msg: err.Error(), Hint: hintOf(err), Err: err}
}

// signals are control flow carried through pongo2's error returns.
type returnSignal struct{ v Value }

func (returnSignal) Error() string { return "return() called outside of a macro" }

type loopSignal struct{ isBreak bool }

func (s loopSignal) Error() string {
	if s.isBreak {
		return "'break' outside loop"
	}
	return "'continue' outside loop"
}

func isSignal(err error) bool {
	switch err.(type) {
	case *returnSignal, loopSignal:
		return true
	}
	return false
}

// recoverError turns a panic into an *Error so a template bug can never take
// the process down; the stack goes into the message to make the bug fixable.
func recoverError(file string, r any) *Error {
	return &Error{File: file, Msg: fmt.Sprintf("internal error: %v\n%s", r, debug.Stack())}
}

// didYouMean returns the candidate closest to name when it is close enough
// to be a likely typo, or "".
func didYouMean(name string, candidates []string) string {
	limit := 1
	switch n := len(name); {
	case n >= 9:
		limit = 3
	case n >= 5:
		limit = 2
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if c == name {
			continue
		}
		if d := suggest.EditDistance(strings.ToLower(name), strings.ToLower(c)); d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	return best
}
