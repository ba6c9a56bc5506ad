package pgtest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gmodel/gmodel/tests/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func connect(t testing.TB, db *pgtest.DB) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, db.DSN)
	if err != nil {
		t.Fatalf("connect to %s: %v", db.Database, err)
	}
	t.Cleanup(func() { _ = c.Close(ctx) })
	return c
}

// TestParallelTestsAreIsolated: two tests running at once each have a
// database of their own, and neither sees the other's tables.
func TestParallelTestsAreIsolated(t *testing.T) {
	var created sync.WaitGroup
	created.Add(2)
	both := make(chan struct{})
	go func() { created.Wait(); close(both) }()

	for _, tc := range []struct{ own, other string }{{"t_left", "t_right"}, {"t_right", "t_left"}} {
		t.Run(tc.own, func(t *testing.T) {
			t.Parallel()
			var once sync.Once
			signal := func() { once.Do(created.Done) }
			defer signal() // a failed test must not hold the other one up

			ctx := context.Background()
			db := pgtest.New(t)
			c := connect(t, db)
			if _, err := c.Exec(ctx, "create table "+tc.own+" (id int)"); err != nil {
				t.Fatal(err)
			}
			signal()
			select {
			case <-both:
			case <-time.After(time.Minute):
				t.Fatal("the other test never created its table: run with -parallel 2 or more")
			}

			var current string
			if err := c.QueryRow(ctx, "select current_database()").Scan(&current); err != nil || current != db.Database {
				t.Fatalf("current_database() = %q, %v; want %q", current, err, db.Database)
			}
			if _, err := c.Exec(ctx, "select * from "+tc.own); err != nil {
				t.Fatalf("own table: %v", err)
			}
			_, err := c.Exec(ctx, "select * from "+tc.other)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42P01" {
				t.Fatalf("select from the other test's table: %v; want undefined_table (42P01)", err)
			}
		})
	}
}

func TestDatabaseDroppedAtCleanup(t *testing.T) {
	var inner *pgtest.DB
	t.Run("inner", func(t *testing.T) { inner = pgtest.New(t) })

	db := pgtest.New(t)
	var n int
	err := connect(t, db).QueryRow(context.Background(),
		"select count(*) from pg_database where datname = $1", inner.Database).Scan(&n)
	if err != nil || n != 0 {
		t.Fatalf("database %s after its test: count = %d, %v; want dropped", inner.Database, n, err)
	}
}

func TestDBDescribesItsDatabase(t *testing.T) {
	db := pgtest.New(t)
	cfg, err := pgx.ParseConfig(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != db.Host || int(cfg.Port) != db.Port || cfg.User != db.User || cfg.Password != db.Password || cfg.Database != db.Database {
		t.Fatalf("DSN %s@%s:%d/%s disagrees with the fields %s@%s:%d/%s",
			cfg.User, cfg.Host, cfg.Port, cfg.Database, db.User, db.Host, db.Port, db.Database)
	}
	var collate, tz string
	err = connect(t, db).QueryRow(context.Background(),
		"select datcollate, current_setting('TimeZone') from pg_database where datname = current_database()").Scan(&collate, &tz)
	if err != nil || collate != "C" || tz != "UTC" {
		t.Fatalf("collation %q, time zone %q, %v; want C and UTC", collate, tz, err)
	}
}

// BenchmarkNew is the cost of a test's database (create; the drop runs at
// cleanup, outside the timing).
func BenchmarkNew(b *testing.B) {
	pgtest.New(b) // the server starts outside the timing
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pgtest.New(b)
	}
}

// TestTLSServer: NewTLS's DSN verifies the server's certificate against
// CAFile and the connection is encrypted; the unrelated CA and the address
// outside the certificate fail verification.
func TestTLSServer(t *testing.T) {
	db := pgtest.NewTLS(t)
	ctx := context.Background()
	var ssl bool
	var current string
	err := connect(t, &db.DB).QueryRow(ctx,
		"select ssl, current_database() from pg_stat_ssl where pid = pg_backend_pid()").Scan(&ssl, &current)
	if err != nil || !ssl || current != db.Database {
		t.Fatalf("ssl %v, database %q, %v; want a TLS connection to %s", ssl, current, err, db.Database)
	}
	for _, tc := range []struct{ name, host, ca, want string }{
		{"other CA", pgtest.TLSHost, db.OtherCAFile, "unknown authority"},
		{"IP not in the certificate", db.IPHost, db.CAFile, "for 127.0.0.1"},
	} {
		cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=verify-full sslrootcert=%s",
			tc.host, db.Port, db.User, db.Database, tc.ca))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Password = db.Password
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err == nil {
			c.Close(ctx)
			t.Errorf("%s: connected", tc.name)
		} else if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", tc.name, err, tc.want)
		}
	}
}
