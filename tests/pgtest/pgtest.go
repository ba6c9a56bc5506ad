// Package pgtest gives every execution test a fresh PostgreSQL database of
// its own. Tests call New; the package's TestMain calls Main.
//
// The server, chosen once per test binary, is the first of:
//
//  1. GMODEL_TEST_POSTGRES_DSN, an existing server where the role may
//     create databases (set explicitly, so it wins);
//  2. a container (testcontainers-go) when a Docker engine answers;
//  3. a throwaway cluster from the local PostgreSQL binaries
//     (internal/localpg), under $GMODEL_TEST_PGDIR or the temp directory.
//
// With none of them, New fails the test and says what to install: the
// execution tests never skip.
//
// NewTLS gives a database on a second server, started on first use from
// the local binaries with TLS on and a certificate from a CA made at test
// time, for the tests of sslmode verify-ca and verify-full.
//
// Every database is created from template0 with UTF8 encoding, the C
// collation and the UTC time zone, so results sort and print alike on every
// backend, and is dropped when its test ends.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmodel/gmodel/internal/localpg"
	"github.com/gmodel/gmodel/internal/localpg/container"
)

// EnvDSN names the variable holding a DSN to an existing server.
const EnvDSN = "GMODEL_TEST_POSTGRES_DSN"

// EnvDir names the variable holding the directory for throwaway clusters;
// it must be reachable by the postgres OS user when the tests run as root.
const EnvDir = "GMODEL_TEST_PGDIR"

// DB is a test's own database. DSN and Password hold the password.
type DB struct {
	DSN      string
	Host     string
	Port     int
	User     string
	Password string
	Database string
}

// New creates a database for this test, dropped (with its connections
// ended) when the test ends, and returns where to reach it. The first call
// in a test binary starts or finds the server; if none is available, or
// the database cannot be created, New fails the test.
func New(t testing.TB) *DB {
	t.Helper()
	b, err := plain.get(setup)
	if err != nil {
		t.Fatal(err)
	}
	return b.newDB(t)
}

// newDB creates a database on b for t, dropped when t ends.
func (b *backend) newDB(t testing.TB) *DB {
	t.Helper()
	b.announce.Do(func() { t.Logf("pgtest: %s, ready in %s", b, b.took.Round(time.Millisecond)) })
	name := "gmt_" + randomHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, sql := range b.createSQL(name) {
		if err := b.exec(ctx, sql); err != nil {
			t.Fatalf("pgtest: create database %s on %s: %v", name, b, err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := b.exec(ctx, b.dropSQL(name)); err != nil {
			t.Errorf("pgtest: drop database %s on %s: %v", name, b, err)
		}
	})
	return &DB{
		DSN:      dsn(b.host, b.port, b.user, b.password, name),
		Host:     b.host,
		Port:     b.port,
		User:     b.user,
		Password: b.password,
		Database: name,
	}
}

// Main runs the tests, then stops the servers this binary started and
// removes its files, and exits. Use it as the TestMain of every package
// that calls New:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Without it the server still stops when the binary exits (Linux), and
// the next run removes what is left.
func Main(m *testing.M) {
	code := m.Run()
	if err := shutdown(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// backend is a server of this test binary.
type backend struct {
	kind                 string // "dsn", "docker" or "local"
	host, user, password string
	port                 int
	admin                string // the database New connects to
	version              int    // server_version_num
	stop                 func(context.Context) error
	took                 time.Duration // to find or start the server
	announce             sync.Once     // its first test logs where it is
	tls                  *tlsFiles     // NewTLS's server only

	mu   sync.Mutex
	conn *pgx.Conn
}

func (b *backend) String() string {
	return fmt.Sprintf("%s server %s", b.kind, net.JoinHostPort(b.host, strconv.Itoa(b.port)))
}

// lazy is a server found or started on first use, once per test binary.
type lazy struct {
	once sync.Once
	be   *backend
	err  error
}

var (
	plain    lazy         // New's
	tlsLazy  lazy         // NewTLS's
	setupLog lockedBuffer // localpg's and testcontainers' progress, shown on failure
)

func (l *lazy) get(setup func() (*backend, error)) (*backend, error) {
	l.once.Do(func() {
		begin := time.Now()
		l.be, l.err = setup()
		if l.be != nil {
			l.be.took = time.Since(begin)
		}
	})
	return l.be, l.err
}

func shutdown() error {
	return errors.Join(plain.shutdown(), tlsLazy.shutdown())
}

func (l *lazy) shutdown() error {
	l.once.Do(func() {}) // no server was asked for: none starts now
	b := l.be
	if b == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b.mu.Lock()
	if b.conn != nil {
		_ = b.conn.Close(ctx)
		b.conn = nil
	}
	b.mu.Unlock()
	if b.stop == nil {
		return nil
	}
	return b.stop(ctx)
}

func setup() (*backend, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if env := os.Getenv(EnvDSN); env != "" {
		b, err := fromDSN(ctx, env)
		if err != nil {
			return nil, fmt.Errorf("pgtest: %s: %w", EnvDSN, err)
		}
		return b, nil
	}

	opts := localpg.Options{
		FSyncOff: true,
		Log:      &setupLog,
		Settings: map[string]string{"max_connections": "200"},
	}
	dockerErr := container.Available(ctx)
	if dockerErr == nil {
		s, err := container.Start(ctx, opts)
		if err == nil {
			return fromServer(ctx, "docker", s)
		}
		dockerErr = err // a broken engine: fall back to the local binaries
	}

	bin, binErr := localpg.FindBinaries()
	if binErr != nil {
		return nil, noServer(dockerErr, binErr)
	}
	return startLocal(ctx, opts, bin, dockerErr, nil)
}

// startLocal starts a throwaway cluster from the local binaries in bin.
// prepare, if set, runs on the cluster directory before the server starts
// (the files it writes there are given to the server's OS user).
func startLocal(ctx context.Context, opts localpg.Options, bin string, dockerErr error, prepare func(dir string, opts *localpg.Options) error) (*backend, error) {
	base, err := baseDir()
	if err != nil {
		return nil, err
	}
	if _, err := localpg.Reap(ctx, base); err != nil {
		fmt.Fprintf(&setupLog, "pgtest: reap %s: %v\n", base, err)
	}
	dir, err := os.MkdirTemp(base, "run-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	opts.Dir, opts.BinDir, opts.InitCache = dir, bin, filepath.Join(base, "cache")
	if prepare != nil {
		if err := prepare(dir, &opts); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: %w", err)
		}
	}
	s, err := localpg.Start(ctx, opts)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: start a throwaway PostgreSQL (Docker: %v): %w\n%s", dockerErr, err, setupLog.String())
	}
	return fromServer(ctx, "local", s)
}

// noServer says why no server was found, and what to install.
func noServer(dockerErr, binErr error) error {
	return fmt.Errorf(`pgtest: no PostgreSQL server for the execution tests:
  - %s is not set;
  - Docker: %v;
  - local binaries: %v.
Install the PostgreSQL server (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@16), or start Docker, or set %s=postgres://USER:PASSWORD@HOST:5432/postgres (a role that may create databases)`,
		EnvDSN, dockerErr, binErr, EnvDSN)
}

func fromServer(ctx context.Context, kind string, s *localpg.Server) (*backend, error) {
	b := &backend{kind: kind, host: s.Host, port: s.Port, user: s.User, password: s.Password(), admin: "postgres", stop: s.Destroy}
	if err := b.connect(ctx); err != nil {
		_ = s.Destroy(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("pgtest: %s: %w", b, err)
	}
	return b, nil
}

func fromDSN(ctx context.Context, env string) (*backend, error) {
	cfg, err := pgx.ParseConfig(env)
	if err != nil {
		return nil, errors.New("cannot parse it as a PostgreSQL DSN") // pgx's error may quote the password
	}
	b := &backend{kind: "dsn", host: cfg.Host, port: int(cfg.Port), user: cfg.User, password: cfg.Password, admin: cfg.Database}
	if b.admin == "" {
		b.admin = "postgres"
	}
	if err := b.connect(ctx); err != nil {
		return nil, err
	}
	return b, nil
}

// connect (re)opens the admin connection; b.mu is held or b is not shared yet.
func (b *backend) connect(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, dsn(b.host, b.port, b.user, b.password, b.admin))
	if err != nil {
		return err
	}
	if err := conn.QueryRow(ctx, "select current_setting('server_version_num')::int").Scan(&b.version); err != nil {
		_ = conn.Close(ctx)
		return err
	}
	b.conn = conn
	return nil
}

// exec runs sql on the admin connection, reconnecting once if it broke.
func (b *backend) exec(ctx context.Context, sql string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn == nil || b.conn.IsClosed() {
		if err := b.connect(ctx); err != nil {
			return err
		}
	}
	_, err := b.conn.Exec(ctx, sql)
	if err != nil && b.conn.IsClosed() && ctx.Err() == nil {
		if err := b.connect(ctx); err != nil {
			return err
		}
		_, err = b.conn.Exec(ctx, sql)
	}
	return err
}

// createSQL are two statements: CREATE DATABASE cannot share a
// transaction, not even the implicit one of a multi-statement query.
func (b *backend) createSQL(name string) []string {
	create := "CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
	if b.version >= 150000 {
		create += " STRATEGY = FILE_COPY" // faster than WAL_LOG for a small template
	}
	return []string{create, "ALTER DATABASE " + name + " SET timezone TO 'UTC'"}
}

func (b *backend) dropSQL(name string) string {
	if b.version >= 130000 {
		return "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"
	}
	return "DROP DATABASE IF EXISTS " + name
}

func dsn(host string, port int, user, password, database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(user, password),
		Host:     net.JoinHostPort(host, strconv.Itoa(port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// baseDir returns the directory for this user's throwaway clusters and the
// init cache: $GMODEL_TEST_PGDIR, else the first of the temp directory,
// /tmp and /var/tmp that the postgres OS user can reach (when root).
func baseDir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		if err := usableBase(d); err != nil {
			return "", fmt.Errorf("pgtest: %s=%s: %w", EnvDir, d, err)
		}
		return d, nil
	}
	name := fmt.Sprintf("gmodel-pgtest-%d", os.Getuid())
	var errs []string
	for _, parent := range []string{os.TempDir(), "/tmp", "/var/tmp"} {
		d := filepath.Join(parent, name)
		err := usableBase(d)
		if err == nil {
			return d, nil
		}
		errs = append(errs, err.Error())
	}
	return "", fmt.Errorf("pgtest: no directory for a throwaway cluster:\n  %s\nset %s to a directory the postgres user can reach",
		strings.Join(errs, "\n  "), EnvDir)
}

func usableBase(d string) error {
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	fi, err := os.Lstat(d)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", d)
	}
	// A shared temp directory: refuse one planted by another user.
	if uid, ok := ownerUID(fi); ok && uid != os.Getuid() {
		return fmt.Errorf("%s belongs to uid %d, not to this user", d, uid)
	}
	if fi.Mode().Perm() != 0o755 {
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
	}
	removeOrphans(d)
	return localpg.CheckDir(filepath.Join(d, "run-x"), "")
}

// removeOrphans removes run directories that never got a cluster (their
// process died before localpg recorded it); Reap handles the others.
func removeOrphans(base string) {
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "run-") {
			continue
		}
		dir := filepath.Join(base, e.Name())
		if _, err := os.Stat(filepath.Join(dir, "localpg.json")); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > time.Hour {
			_ = os.RemoveAll(dir)
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
