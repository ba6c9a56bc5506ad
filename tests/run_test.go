package tests

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmodel/gmodel/internal/cli"
	"github.com/gmodel/gmodel/tests/pgtest"
)

// The execution tests get their PostgreSQL from pgtest, which stops the
// server it started when the tests end.
func TestMain(m *testing.M) { pgtest.Main(m) }

// pgEnv is a project copied for a test, with a profile pointing at a fresh
// PostgreSQL database.
type pgEnv struct {
	dir      string // the project
	profiles string // the directory of profiles.yml
	db       *pgtest.DB
}

// newPGEnv copies the testdata project src (or writes files into an empty
// project when src is "") and writes a profiles.yml for profile, schema
// dbt_test, 4 threads.
func newPGEnv(t testing.TB, src, profile string, files map[string]string) *pgEnv {
	t.Helper()
	var dir string
	if src != "" {
		dir = copyTree(t, src)
	} else {
		dir = t.TempDir()
	}
	for p, content := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := pgtest.New(t)
	prof := t.TempDir()
	yml := fmt.Sprintf(`%s:
  target: dev
  outputs:
    dev:
      type: postgres
      host: %q
      port: %d
      user: %q
      password: %q
      dbname: %q
      schema: dbt_test
      threads: 4
`, profile, db.Host, db.Port, db.User, db.Password, db.Database)
	if err := os.WriteFile(filepath.Join(prof, "profiles.yml"), []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	return &pgEnv{dir: dir, profiles: prof, db: db}
}

// gmodel runs a command on the environment's project and target.
func (e *pgEnv) gmodel(t testing.TB, args ...string) result {
	t.Helper()
	return e.gmodelCtx(context.Background(), t, args...)
}

func (e *pgEnv) gmodelCtx(ctx context.Context, t testing.TB, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	f := &cli.Factory{
		IO:        cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb},
		LookupEnv: func(string) (string, bool) { return "", false },
		Getwd:     os.Getwd,
		Home:      func() (string, error) { return os.TempDir(), nil },
	}
	args = append(args, "--project-dir", e.dir, "--profiles-dir", e.profiles)
	code := cli.MainWith(ctx, f, args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// query runs a query returning one value.
func (e *pgEnv) query(t testing.TB, sql string) any {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v any
	if err := conn.QueryRow(ctx, sql).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

func (e *pgEnv) queryString(t testing.TB, sql string) string {
	t.Helper()
	return fmt.Sprint(e.query(t, sql))
}

var doneLine = regexp.MustCompile(`Done\. PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+) TOTAL=(\d+)`)

// expectDone checks a command's exit code and its final counts.
func expectDone(t *testing.T, what string, r result, code int, want string) {
	t.Helper()
	got := doneLine.FindString(r.stderr)
	if r.code != code || got != want {
		t.Fatalf("%s: exit %d, %q; want exit %d, %q\n%s", what, r.code, got, code, want, r.stderr)
	}
}

// The classic jaffle_shop, unchanged: seed, run and test separately, then
// build from scratch; the numbers are what dbt builds.
func TestJaffleShopOnPostgres(t *testing.T) {
	check := func(t *testing.T, e *pgEnv) {
		for _, c := range []struct{ sql, want string }{
			{"select count(*) from dbt_test.customers", "100"},
			{"select count(*) from dbt_test.orders", "99"},
			{"select sum(amount)::text from dbt_test.orders", "1672"},
			{"select sum(customer_lifetime_value)::text from dbt_test.customers", "1672"},
			{"select data_type from information_schema.columns where table_schema = 'dbt_test' and table_name = 'raw_payments' and column_name = 'amount'", "integer"},
			{"select table_type from information_schema.tables where table_schema = 'dbt_test' and table_name = 'stg_orders'", "VIEW"},
			{"select table_type from information_schema.tables where table_schema = 'dbt_test' and table_name = 'customers'", "BASE TABLE"},
		} {
			if got := e.queryString(t, c.sql); got != c.want {
				t.Errorf("%s = %s, want %s", c.sql, got, c.want)
			}
		}
	}
	t.Run("seed, run, test", func(t *testing.T) {
		e := newPGEnv(t, "testdata/jaffle_shop", "jaffle_shop", nil)
		expectDone(t, "seed", e.gmodel(t, "seed"), 0, "Done. PASS=3 WARN=0 ERROR=0 SKIP=0 TOTAL=3")
		r := e.gmodel(t, "run")
		expectDone(t, "run", r, 0, "Done. PASS=5 WARN=0 ERROR=0 SKIP=0 TOTAL=5")
		for _, want := range []string{
			"START sql view model dbt_test.stg_customers",
			"OK created sql table model dbt_test.customers",
			"Finished running 3 view models, 2 table models in 0 hours 0 minutes and",
			"Completed successfully",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("run output lacks %q:\n%s", want, r.stderr)
			}
		}
		r = e.gmodel(t, "test")
		expectDone(t, "test", r, 0, "Done. PASS=20 WARN=0 ERROR=0 SKIP=0 TOTAL=20")
		if !regexp.MustCompile(`\d+ of 20 PASS unique_customers_customer_id \.+ \[PASS in \d+\.\d\ds\]`).MatchString(r.stderr) {
			t.Errorf("test output:\n%s", r.stderr)
		}
		check(t, e)
		raw, err := os.ReadFile(filepath.Join(e.dir, "target", "run_results.json"))
		if err != nil || !strings.Contains(string(raw), `"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v5.json"`) {
			t.Errorf("run_results.json: %v", err)
		}
	})
	t.Run("build", func(t *testing.T) {
		e := newPGEnv(t, "testdata/jaffle_shop", "jaffle_shop", nil)
		r := e.gmodel(t, "build")
		expectDone(t, "build", r, 0, "Done. PASS=28 WARN=0 ERROR=0 SKIP=0 TOTAL=28")
		check(t, e)
		// A second build replaces everything in place.
		expectDone(t, "second build", e.gmodel(t, "build"), 0, "Done. PASS=28 WARN=0 ERROR=0 SKIP=0 TOTAL=28")
		check(t, e)
	})
}

// A model with a SQL error fails with its file and line; what is built on
// it is skipped, the rest is built.
func TestFailingModelSkipsDescendants(t *testing.T) {
	e := newPGEnv(t, "", "e2e", map[string]string{
		"dbt_project.yml": "name: e2e\nprofile: e2e\nmodels:\n  e2e:\n    +materialized: table\n",
		"models/a.sql":    "select 1 as id, 10 as amount\n",
		"models/b.sql":    "{{ config(materialized='table') }}\n\nselect\n    id,\n    amout\nfrom {{ ref('a') }}\n",
		"models/c.sql":    "select * from {{ ref('b') }}\n",
		"models/d.sql":    "select 2 as id\n",
	})
	r := e.gmodel(t, "run")
	expectDone(t, "run", r, 1, "Done. PASS=2 WARN=0 ERROR=1 SKIP=1 TOTAL=4")
	for _, want := range []string{
		"ERROR creating sql table model dbt_test.b",
		"SKIP relation dbt_test.c",
		`models/b.sql:5: ERROR: column "amout" does not exist`,
		"compiled code at target/compiled/e2e/models/b.sql",
		"Completed with 1 error and 0 warnings:",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stderr)
		}
	}
	if got := e.queryString(t, "select count(*) from information_schema.tables where table_schema = 'dbt_test' and table_name in ('a', 'd')"); got != "2" {
		t.Errorf("a and d: %s built", got)
	}
	if got := e.queryString(t, "select count(*) from information_schema.tables where table_schema = 'dbt_test' and table_name in ('b', 'c')"); got != "0" {
		t.Errorf("b and c exist: %s", got)
	}
}

// slowProject has a model that sleeps when --vars '{slow: true}'.
var slowProject = map[string]string{
	"dbt_project.yml": "name: e2e\nprofile: e2e\nmodels:\n  e2e:\n    +materialized: table\n",
	"models/slow.sql": "{% if var('slow', false) %}\nselect 2 as version from (select pg_sleep({{ var('sleep', 30) }})) s\n{% else %}\nselect 1 as version\n{% endif %}\n",
	"models/fast.sql": "select 1 as id\n",
}

// waitForSleep waits until a pg_sleep runs on the server.
func (e *pgEnv) waitForSleep(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if e.queryString(t, "select count(*) from pg_stat_activity where query like '%pg_sleep%' and pid <> pg_backend_pid()") != "0" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the slow model never started")
}

// Ctrl-C while a model runs: the statement is cancelled on the server, the
// run exits within 2 s, the old table stays.
func TestCtrlCMidRun(t *testing.T) {
	e := newPGEnv(t, "", "e2e", slowProject)
	expectDone(t, "first run", e.gmodel(t, "run"), 0, "Done. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var r result
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r = e.gmodelCtx(ctx, t, "run", "--vars", "{slow: true}", "-s", "slow")
	}()
	e.waitForSleep(t)
	cancelled := time.Now()
	cancel()
	wg.Wait()
	if d := time.Since(cancelled); d > 2*time.Second {
		t.Errorf("the run took %v to stop", d)
	}
	if r.code != cli.ExitInterrupted || !strings.Contains(r.stderr, "Exited because of keyboard interrupt") {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
	if got := e.queryString(t, "select version from dbt_test.slow"); got != "1" {
		t.Errorf("slow.version = %s, want the old table's 1", got)
	}
	if got := e.queryString(t, "select count(*) from pg_stat_activity where query like '%pg_sleep%' and pid <> pg_backend_pid()"); got != "0" {
		t.Errorf("the statement still runs on the server")
	}
	if _, err := os.Stat(filepath.Join(e.dir, "target", "run_results.json")); err != nil {
		t.Error("run_results.json not written")
	}
}

// Two runs on one target: the second stops with a clear message while the
// first holds the lock, and the first finishes.
func TestConcurrentRuns(t *testing.T) {
	e := newPGEnv(t, "", "e2e", slowProject)
	var first result
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		first = e.gmodel(t, "run", "--vars", "{slow: true, sleep: 3}")
	}()
	e.waitForSleep(t)
	second := e.gmodel(t, "run")
	wg.Wait()
	if second.code != cli.ExitError || !strings.Contains(second.stderr, "target 'dev' is busy: ") {
		t.Errorf("second run: exit %d\n%s", second.code, second.stderr)
	}
	expectDone(t, "first run", first, 0, "Done. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2")
	if got := e.queryString(t, "select version from dbt_test.slow"); got != "2" {
		t.Errorf("slow.version = %s, want 2", got)
	}
	// The lock is released: a third run goes through.
	expectDone(t, "third run", e.gmodel(t, "run"), 0, "Done. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2")
}

// --store-failures keeps the failing rows in <schema>_dbt_test__audit.
func TestStoreFailuresOnPostgres(t *testing.T) {
	e := newPGEnv(t, "", "e2e", map[string]string{
		"dbt_project.yml": "name: e2e\nprofile: e2e\n",
		"models/m.sql":    "{{ config(materialized='table') }}\nselect * from (values (1), (2), (2), (3), (3), (3)) v(id)\n",
		"models/schema.yml": `version: 2
models:
  - name: m
    columns:
      - name: id
        tests:
          - unique
          - not_null
          - accepted_values:
              values: [1, 2]
              quote: false
              config:
                severity: warn
`,
	})
	expectDone(t, "run", e.gmodel(t, "run"), 0, "Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1")
	r := e.gmodel(t, "test", "--store-failures")
	expectDone(t, "test", r, 1, "Done. PASS=1 WARN=1 ERROR=1 SKIP=0 TOTAL=3")
	for _, want := range []string{
		"FAIL 2 unique_m_id",
		"WARN 1 accepted_values_m_id__False__1__2",
		"Failure in test unique_m_id (models/schema.yml)",
		"  Got 2 results, configured to fail if != 0",
		`select * from "` + e.db.Database + `"."dbt_test_dbt_test__audit"."unique_m_id"`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stderr)
		}
	}
	if got := e.queryString(t, "select count(*) from dbt_test_dbt_test__audit.unique_m_id"); got != "2" {
		t.Errorf("stored failures: %s rows, want 2", got)
	}
	if got := e.queryString(t, `select count(*) from dbt_test_dbt_test__audit."accepted_values_m_id__False__1__2"`); got != "1" {
		t.Errorf("stored warnings: %s rows, want 1", got)
	}
}

// Incremental models across two runs with new data, for each strategy.
func TestIncrementalAcrossRuns(t *testing.T) {
	model := func(strategy string) string {
		key := ", unique_key='id'"
		if strategy == "append" {
			key = ""
		}
		return "{{ config(materialized='incremental', incremental_strategy='" + strategy + "'" + key + ") }}\n" +
			"select id, status from {{ ref('events') }}\n" +
			"{% if is_incremental() %}where id >= (select max(id) from {{ this }}){% endif %}\n"
	}
	e := newPGEnv(t, "", "e2e", map[string]string{
		"dbt_project.yml":        "name: e2e\nprofile: e2e\n",
		"seeds/events.csv":       "id,status\n1,new\n2,new\n3,new\n",
		"models/inc_append.sql":  model("append"),
		"models/inc_delete.sql":  model("delete+insert"),
		"models/inc_merge.sql":   model("merge"),
		"models/inc_default.sql": "{{ config(materialized='incremental', unique_key='id') }}\nselect id, status from {{ ref('events') }}\n{% if is_incremental() %}where id >= (select max(id) from {{ this }}){% endif %}\n",
	})
	expectDone(t, "first build", e.gmodel(t, "build"), 0, "Done. PASS=5 WARN=0 ERROR=0 SKIP=0 TOTAL=5")
	// New data: row 3 changed, rows 4 and 5 new.
	if err := os.WriteFile(filepath.Join(e.dir, "seeds", "events.csv"), []byte("id,status\n1,new\n2,new\n3,done\n4,new\n5,new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	expectDone(t, "second build", e.gmodel(t, "build"), 0, "Done. PASS=5 WARN=0 ERROR=0 SKIP=0 TOTAL=5")
	for _, c := range []struct{ table, want string }{
		// append adds rows 3 (again), 4, 5.
		{"inc_append", "6 1"},
		{"inc_delete", "5 1"},
		{"inc_merge", "5 1"},
		{"inc_default", "5 1"},
	} {
		got := e.queryString(t, "select count(*) || ' ' || count(*) filter (where status = 'done') from dbt_test."+c.table)
		if got != c.want {
			t.Errorf("%s: rows and done rows = %s, want %s", c.table, got, c.want)
		}
	}
	// --full-refresh rebuilds from scratch.
	expectDone(t, "full refresh", e.gmodel(t, "run", "--full-refresh", "-s", "inc_append"), 0, "Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1")
	if got := e.queryString(t, "select count(*) from dbt_test.inc_append"); got != "5" {
		t.Errorf("inc_append after --full-refresh: %s rows, want 5", got)
	}
}
