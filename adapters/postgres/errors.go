package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/profiles"
)

// connectError turns a failure to connect into one line naming the
// target. It keeps only the innermost cause (a server or network error):
// pgx's *pgconn.ConnectError carries the whole config, password included.
func (a *Adapter) connectError(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if !isTimeout(err) {
			return &adapters.Error{Code: adapters.Canceled, Msg: fmt.Sprintf("connecting to postgres at %s: canceled", where(&a.cfg)), Err: err}
		}
	}
	if msg, ok := tlsFailure(err, &a.cfg); ok {
		return &adapters.Error{Code: adapters.Connect, Msg: fmt.Sprintf("cannot connect to postgres at %s: %s", where(&a.cfg), msg), Err: cause(err)}
	}
	e := &adapters.Error{
		Code: adapters.Connect,
		Msg:  fmt.Sprintf("cannot connect to postgres at %s: %s", where(&a.cfg), connectReason(err)),
		Err:  cause(err),
	}
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Hint = fmt.Sprintf("is the server running and accepting TCP/IP connections on port %d?", a.cfg.Port)
	case errors.As(err, &pgErr) && a.cfg.Method == profiles.MethodIAM && (pgErr.Code == "28P01" || pgErr.Code == "28000"):
		// RDS answers a refused token with "PAM authentication failed".
		e.Hint = fmt.Sprintf("the server refused the IAM token: the database user needs `GRANT rds_iam TO %s`, the instance IAM authentication turned on, and your AWS identity rds-db:connect on arn:aws:rds-db:REGION:ACCOUNT:dbuser:RESOURCE-ID/%s; 'host' must be the instance's endpoint", a.cfg.User, a.cfg.User)
	case errors.As(err, &pgErr) && pgErr.Code == "28P01" && a.cfg.PasswordSecret != "":
		e.Hint = fmt.Sprintf("check the password in AWS Secrets Manager secret %q", a.cfg.PasswordSecret)
	case errors.As(err, &pgErr) && pgErr.Code == "28P01":
		e.Hint = "check the target's password (or PGPASSWORD and ~/.pgpass when the profile has none)"
	case errors.As(err, &pgErr) && pgErr.Code == "3D000":
		e.Hint = "create the database first (createdb), or fix 'dbname' in profiles.yml"
	case errors.As(err, &pgErr) && pgErr.Code == "22023" && a.cfg.Role != "":
		e.Hint = "fix the target's 'role' (gmodel runs SET ROLE with it after connecting)"
	}
	if errors.As(err, &pgErr) {
		e.State = pgErr.Code
	}
	return e
}

// connectReason is the short cause of a connection failure.
func connectReason(err error) string {
	var pgErr *pgconn.PgError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &pgErr):
		if pgErr.Code == "28P01" {
			return "password authentication failed"
		}
		return pgErr.Message
	case errors.As(err, &dnsErr):
		return "unknown host " + dnsErr.Name
	case isTimeout(err):
		return "timed out"
	}
	return cause(err).Error()
}

func isTimeout(err error) bool {
	var netErr net.Error
	return (errors.As(err, &netErr) && netErr.Timeout()) || errors.Is(err, os.ErrDeadlineExceeded)
}

// cause unwraps to the innermost error that is not pgx's wrapping.
func cause(err error) error {
	for {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			return pgErr
		}
		var opErr *net.OpError
		if errors.As(err, &opErr) {
			return opErr
		}
		var ce *pgconn.ConnectError
		if errors.As(err, &ce) {
			err = ce.Unwrap()
			continue
		}
		return err
	}
}

// sqlError classifies a statement's failure. sql is the statement sent;
// modelSQL and offset, when set, say where the model's SQL starts in it (in
// characters), so that a position inside the model is reported against it.
func sqlError(ctx context.Context, err error, sql string) error {
	return sqlErrorIn(ctx, err, sql, "", 0)
}

func sqlErrorIn(ctx context.Context, err error, sql, modelSQL string, offset int) error {
	if err == nil {
		return nil
	}
	var ae *adapters.Error
	if errors.As(err, &ae) {
		return err
	}
	if ctx.Err() != nil {
		return &adapters.Error{Code: adapters.Canceled, Msg: "canceled: " + context.Cause(ctx).Error(), SQL: sql, Err: errors.Join(ctx.Err(), err)}
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		// The pool opening a connection; the ConnectError holds the config,
		// password included: keep only its cause.
		msg := "cannot connect to postgres: " + connectReason(err)
		if c := ce.Config; c != nil {
			msg = fmt.Sprintf("cannot connect to postgres at %s:%d/%s as user %s: %s", c.Host, c.Port, c.Database, c.User, connectReason(err))
		}
		return &adapters.Error{Code: adapters.Connect, Msg: msg, Err: cause(err)}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		e := &adapters.Error{
			Code:     adapters.SQL,
			Msg:      pgErr.Message,
			SQL:      sql,
			Position: int(pgErr.Position),
			Detail:   pgErr.Detail,
			Hint:     pgErr.Hint,
			State:    pgErr.Code,
			Err:      pgErr,
		}
		if modelSQL != "" && e.Position > offset && e.Position <= offset+len([]rune(modelSQL)) {
			e.SQL = modelSQL
			e.Position -= offset
		}
		return e
	}
	if pgconn.SafeToRetry(err) || isNetwork(err) {
		return &adapters.Error{Code: adapters.Connect, Msg: "lost the connection to postgres: " + cause(err).Error(), SQL: sql, Err: err}
	}
	return &adapters.Error{Code: adapters.Unknown, Msg: err.Error(), SQL: sql, Err: err}
}

func isNetwork(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) || strings.Contains(err.Error(), "conn closed")
}

// wrapMsg prefixes an *adapters.Error's message (keeping its code and
// position) or wraps any other error.
func wrapMsg(err error, format string, args ...any) error {
	prefix := fmt.Sprintf(format, args...)
	var ae *adapters.Error
	if errors.As(err, &ae) {
		c := *ae
		c.Msg = prefix + ": " + ae.Msg
		return &c
	}
	return fmt.Errorf("%s: %w", prefix, err)
}
