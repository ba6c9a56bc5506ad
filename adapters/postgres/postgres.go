// Package postgres is gmodel's adapter for PostgreSQL (a local server, any
// server, Amazon RDS), built on pgx/v5. It registers itself as "postgres";
// the runner reaches it through adapters.Open, tests through New.
//
// Every rebuild happens aside and is swapped in within one transaction, and
// unlike dbt-postgres it never drops the views that read a rebuilt relation:
// they are recreated, with their owners, privileges and comments, on the new
// one (see swap.go).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/profiles"
)

func init() {
	adapters.Register("postgres", open)
}

func open(ctx context.Context, t *profiles.Target, opts adapters.Options) (adapters.Adapter, error) {
	cfg, err := profiles.DecodePostgres(t)
	if err != nil {
		return nil, err
	}
	return New(ctx, cfg, opts)
}

// Adapter is an open pool of connections to one PostgreSQL database.
type Adapter struct {
	pool    *pgxpool.Pool
	connCfg *pgx.ConnConfig // for the lock's dedicated connections
	cfg     profiles.Postgres
	log     io.Writer
	// beforeConnect, when set (method iam), gives each new connection,
	// pooled or dedicated, its own token.
	beforeConnect func(context.Context, *pgx.ConnConfig) error
	database      string // the connected database, as the server names it
	version       int    // server_version_num
}

var _ adapters.Adapter = (*Adapter)(nil)

// New connects to the server of cfg, with a pool of opts.Threads
// connections (else cfg.Threads, at least one), and checks the login
// before returning. Connection failures
// are an *adapters.Error of code Connect naming host:port, database and user,
// never the password. A password_secret is read from AWS Secrets Manager
// once, here.
func New(ctx context.Context, cfg *profiles.Postgres, opts adapters.Options) (*Adapter, error) {
	return newAdapter(ctx, cfg, opts, nil)
}

// newAdapter is New with extra AWS config options (tests: a fake endpoint
// and static credentials).
func newAdapter(ctx context.Context, cfg *profiles.Postgres, opts adapters.Options, awsOpts []func(*config.LoadOptions) error) (*Adapter, error) {
	threads := opts.Threads
	if threads == 0 {
		threads = cfg.Threads
	}
	p := *cfg // the secret's user and password go into the copy
	beforeConnect, err := setupAWS(ctx, &p, awsOpts)
	if err != nil {
		return nil, err
	}
	poolCfg, err := poolConfig(&p, threads)
	if err != nil {
		return nil, err
	}
	poolCfg.BeforeConnect = beforeConnect
	a := &Adapter{connCfg: poolCfg.ConnConfig, cfg: p, log: io.Discard, beforeConnect: beforeConnect}
	if opts.Log != nil {
		a.log = &syncWriter{w: opts.Log}
	}
	// The server's notices (RAISE NOTICE in a hook, warnings) go to the log.
	poolCfg.ConnConfig.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		fmt.Fprintf(a.log, "postgres: %s: %s\n", strings.ToLower(n.Severity), n.Message)
	}
	// One connection made up front, with dbt-postgres' retries, so that a
	// wrong password or a missing database is reported here, once.
	conn, err := a.connect(ctx)
	if err != nil {
		return nil, err
	}
	var version string
	err = conn.QueryRow(ctx, "select current_database(), current_setting('server_version_num')").Scan(&a.database, &version)
	conn.Close(context.WithoutCancel(ctx))
	if err != nil {
		return nil, a.connectError(err)
	}
	a.version, _ = strconv.Atoi(version)
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return nil, a.connectError(err)
	}
	a.pool = pool
	return a, nil
}

// syncWriter serializes writes from the pool's connections.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// Close closes every connection of the pool.
func (a *Adapter) Close() error {
	a.pool.Close()
	return nil
}

// Dialect returns the postgres dialect.
func (a *Adapter) Dialect() adapters.Dialect { return Dialect{} }

// poolConfig builds the pgx configuration field by field. The connection
// string handed to pgx holds no password (pgx may quote it in errors); the
// password is set on the parsed config. pgx still reads PGPASSWORD and
// ~/.pgpass when the profile has none, as libpq does.
// expandHome turns a leading ~/ into the user's home directory, as users
// write certificate paths in profiles.yml.
func expandHome(path string) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return path
}

func poolConfig(p *profiles.Postgres, threads int) (*pgxpool.Config, error) {
	kv := []string{}
	add := func(k, v string) {
		if v != "" {
			kv = append(kv, k+"="+quoteConnValue(v))
		}
	}
	add("host", p.Host)
	if p.Port != 0 {
		add("port", strconv.Itoa(p.Port))
	}
	add("user", p.User)
	add("dbname", p.Database)
	add("sslmode", p.SSLMode)
	add("sslrootcert", expandHome(p.SSLRootCert))
	add("sslcert", expandHome(p.SSLCert))
	add("sslkey", expandHome(p.SSLKey))
	if p.ConnectTimeout > 0 {
		add("connect_timeout", strconv.Itoa(p.ConnectTimeout))
	}
	add("application_name", p.ApplicationName)
	add("search_path", p.SearchPath)
	// pgx's own errors about the CA file say neither which file nor what
	// to do.
	if root := expandHome(p.SSLRootCert); root != "" && root != "system" && p.SSLMode != "disable" {
		if _, err := CheckRootCert(root); err != nil {
			return nil, &adapters.Error{Code: adapters.Connect, Msg: fmt.Sprintf("postgres target %s: %v", where(p), err)}
		}
	}
	cfg, err := pgxpool.ParseConfig(strings.Join(kv, " "))
	if err != nil {
		var pe *pgconn.ParseConfigError
		if errors.As(err, &pe) {
			err = errors.Unwrap(pe)
		}
		return nil, &adapters.Error{Code: adapters.Connect, Msg: fmt.Sprintf("postgres target %s: invalid connection settings: %v", where(p), err)}
	}
	if pw := p.Password.Reveal(); pw != "" {
		cfg.ConnConfig.Password = pw
	}
	if threads < 1 {
		threads = 1
	}
	cfg.MaxConns = int32(threads)
	cfg.MinConns = 0
	cc := cfg.ConnConfig
	// Statements change the catalog under cached plans; unnamed statements
	// avoid "cached plan must not change result type" and suit poolers.
	cc.DefaultQueryExecMode = pgx.QueryExecModeExec
	if p.KeepalivesIdle > 0 {
		d := &net.Dialer{
			Timeout:         cc.ConnectTimeout,
			KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: time.Duration(p.KeepalivesIdle) * time.Second},
		}
		cc.DialFunc = d.DialContext
	}
	// On ctx cancellation, ask the server to cancel the statement (the
	// default only closes the socket, leaving the query running); give up
	// on the connection if the server has not answered a few seconds later.
	cc.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 5 * time.Second}
	}
	if p.Role != "" {
		setRole := "SET ROLE " + quoteIdent(p.Role)
		cc.AfterConnect = func(ctx context.Context, c *pgconn.PgConn) error {
			_, err := c.Exec(ctx, setRole).ReadAll()
			return err
		}
	}
	return cfg, nil
}

// quoteConnValue quotes a libpq key=value connection string value.
func quoteConnValue(v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	v = strings.ReplaceAll(v, `'`, `\'`)
	return "'" + v + "'"
}

// where names a target for messages: host:port/dbname as user.
func where(p *profiles.Postgres) string {
	host := p.Host
	if host == "" {
		host = "(default host)"
	}
	return fmt.Sprintf("%s:%d/%s as user %s", host, p.Port, p.Database, p.User)
}

// connect opens one connection outside the pool, retrying network
// failures cfg.Retries times a second apart, as dbt-postgres does.
// Authentication failures are not retried.
func (a *Adapter) connect(ctx context.Context) (*pgx.Conn, error) {
	for attempt := 0; ; attempt++ {
		cc := a.connCfg.Copy()
		var err error
		if a.beforeConnect != nil {
			err = a.beforeConnect(ctx, cc)
		}
		var conn *pgx.Conn
		if err == nil {
			conn, err = pgx.ConnectConfig(ctx, cc)
		}
		if err == nil {
			return conn, nil
		}
		if attempt >= a.cfg.Retries || !retryable(err) || ctx.Err() != nil {
			return nil, a.connectError(err)
		}
		fmt.Fprintf(a.log, "postgres: cannot connect to %s (%s); retrying\n", where(&a.cfg), connectReason(err))
		select {
		case <-ctx.Done():
			return nil, a.connectError(ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// The server is starting up or shutting down, or too many clients.
		return pgErr.Code == "57P03" || pgErr.Code == "53300"
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF)
}
