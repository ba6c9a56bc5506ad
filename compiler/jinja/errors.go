package jinja

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// Error is a problem in a template, positioned in the original source.
type Error struct {
	File      string
	Line, Col int
	Msg       string
	// Err is the underlying cause, e.g. the error a Func returned.
	Err error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
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
		return &Error{File: je.File, Line: je.Line, Col: je.Col, Msg: err.Error(), Err: err}
	}
	return &Error{File: file, Line: int(p.line), Col: int(p.col), Msg: err.Error(), Err: err}
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
