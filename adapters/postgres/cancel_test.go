package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/tests/pgtest"
)

// TestCancelStopsServerQuery checks that cancelling ctx cancels the
// statement on the server (not only the client's wait), and how long
// that takes. The bound is loose on purpose; the log line has the number.
func TestCancelStopsServerQuery(t *testing.T) {
	db := pgtest.New(t)
	a := openTest(t, db)
	watcher := openTest(t, db)
	for _, tc := range []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"Query", func(ctx context.Context) error { _, err := a.Query(ctx, "select pg_sleep(60)"); return err }},
		{"Exec", func(ctx context.Context) error { _, err := a.Exec(ctx, "select 1; select pg_sleep(60)"); return err }},
		{"Materialize", func(ctx context.Context) error {
			_, err := a.Materialize(ctx, adapters.Materialization{Kind: "table", Relation: adapters.Relation{Schema: "public", Identifier: "slow"},
				SQL: "select 1 as x from pg_sleep(60)"})
			return err
		}},
		{"Lock", func(ctx context.Context) error {
			unlock, err := watcher.Lock(context.Background(), "", "public", false)
			if err != nil {
				return err
			}
			defer unlock()
			_, err = a.Lock(ctx, "", "public", true)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- tc.run(ctx) }()
			// Wait until the statement runs on the server.
			waitFor(t, func() bool {
				return activeSleeps(t, watcher, "gmodel-test") > 0 || tc.name == "Lock" && waitingLocks(t, watcher) > 0
			})
			start := time.Now()
			cancel()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("not back 10 s after the cancellation")
			}
			took := time.Since(start)
			wantCodeT(t, err, adapters.Canceled)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%v does not wrap context.Canceled", err)
			}
			t.Logf("returned %v after the cancellation", took)
			if took > 3*time.Second {
				t.Errorf("returned %v after the cancellation; want well under a second", took)
			}
			// And the server is no longer running it.
			waitFor(t, func() bool { return activeSleeps(t, watcher, "gmodel-test") == 0 && waitingLocks(t, watcher) == 0 })
			if _, err := a.Query(context.Background(), "select 1"); err != nil {
				t.Errorf("after the cancellation: %v", err)
			}
		})
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// activeSleeps counts the sessions of application app running pg_sleep.
func activeSleeps(t *testing.T, a *Adapter, app string) int64 {
	t.Helper()
	rows, err := a.Query(context.Background(), `select count(*) from pg_stat_activity
		where datname = current_database() and pid <> pg_backend_pid() and state = 'active'
		and application_name = '`+app+`' and query like '%pg_sleep%'`)
	if err != nil {
		t.Fatal(err)
	}
	return rows.Values[0][0].(int64)
}

func waitingLocks(t *testing.T, a *Adapter) int64 {
	t.Helper()
	rows, err := a.Query(context.Background(), `select count(*) from pg_locks l join pg_database d on d.oid = l.database
		where d.datname = current_database() and l.locktype = 'advisory' and not l.granted`)
	if err != nil {
		t.Fatal(err)
	}
	return rows.Values[0][0].(int64)
}
