package adapters

import (
	"errors"
	"fmt"
)

// Code classifies adapter errors for callers that branch on them.
type Code int

const (
	// Unknown is any other failure.
	Unknown Code = iota
	// NotFound: the relation or schema does not exist.
	NotFound
	// Locked: another run holds the target's lock.
	Locked
	// Connect: the server cannot be reached or refuses the login.
	Connect
	// Canceled: the context was cancelled; the statement was cancelled on
	// the server.
	Canceled
	// SQL: the server rejected a statement.
	SQL
	// Invalid: the request cannot be carried out as configured (an unknown
	// strategy, on_schema_change "fail" with changed columns, a feature
	// the server lacks).
	Invalid
)

// Error is an adapter failure. Its message never holds a secret.
type Error struct {
	Code Code
	// Msg is one line for the user, e.g. the server's message.
	Msg string
	// SQL is the statement that failed, when there is one.
	SQL string
	// Position is the 1-based character offset in SQL the server points
	// at (Postgres's error position), 0 when unknown.
	Position int
	// Detail is the server's detail line (e.g. which key is duplicated).
	Detail string
	// Hint is the server's or adapter's advice, if any.
	Hint string
	// State is the warehouse's own error code (Postgres's SQLSTATE, e.g.
	// "42P01"), empty when there is none.
	State string
	Err   error
}

func (e *Error) Error() string {
	s := e.Msg
	if e.Detail != "" {
		s += "\n  detail: " + e.Detail
	}
	if e.Hint != "" {
		s += "\n  hint: " + e.Hint
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the Code of err (Unknown when it is not an *Error).
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Unknown
}

// Errorf builds an *Error.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}
