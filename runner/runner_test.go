package runner

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmodel/gmodel/adapters"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// shop is a small project: a seed, a view, tables, an ephemeral model and
// tests.
var shop = map[string]string{
	"seeds/raw_orders.csv":          "id,amount\n1,10\n2,20\n3,30\n",
	"models/staging/stg_orders.sql": "{{ config(materialized='view') }}\nselect id, amount\nfrom {{ ref('raw_orders') }}\n",
	"models/orders.sql":             "select\n    id,\n    amount\nfrom {{ ref('stg_orders') }}\n",
	"models/customers_base.sql":     "{{ config(materialized='ephemeral') }}\nselect 1 as id\n",
	"models/customers.sql":          "select * from {{ ref('customers_base') }}\n",
	"models/report.sql":             "{{ config(materialized='view') }}\nselect o.id\nfrom {{ ref('orders') }} o\njoin {{ ref('customers') }} c on c.id = o.id\n",
	"models/other.sql":              "select 2 as id\n",
	"models/schema.yml": `version: 2
models:
  - name: orders
    columns:
      - name: id
        tests: [unique, not_null]
  - name: customers
    columns:
      - name: id
        tests:
          - not_null:
              config:
                severity: warn
`,
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

// runShop runs command on a fresh copy of shop (plus extra files) and
// returns the report, the progress output and the project directory.
func runShop(t *testing.T, command string, f *fake, extra map[string]string, tweak func(*Options)) (*Report, string, string) {
	t.Helper()
	files := map[string]string{}
	for k, v := range shop {
		files[k] = v
	}
	for k, v := range extra {
		files[k] = v
	}
	dir := writeProject(t, files)
	var log bytes.Buffer
	opts := testOptions(t, dir, command, f, &log)
	if tweak != nil {
		tweak(&opts)
	}
	rep, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, log.String())
	}
	return rep, log.String(), dir
}

func TestRunProgressGolden(t *testing.T) {
	f := &fake{}
	rep, out, dir := runShop(t, CmdRun, f, nil, nil)
	if rep.Failed() {
		t.Errorf("run failed:\n%s", out)
	}
	golden(t, "run.golden", []byte(out))
	rr, err := os.ReadFile(filepath.Join(dir, "target", "run_results.json"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "run_results.json", rr)
	if _, err := os.Stat(filepath.Join(dir, "target", "manifest.json")); err != nil {
		t.Error("manifest.json not written")
	}
	if _, err := os.Stat(filepath.Join(dir, "target", "compiled", "shop", "models", "orders.sql")); err != nil {
		t.Error("compiled SQL not written")
	}
	// Schemas ensured, lock taken and released, no ephemeral model built.
	calls := strings.Join(f.callList(), "\n")
	for _, want := range []string{"lock db.analytics", "ensure schema db.analytics", "unlock"} {
		if !strings.Contains(calls, want) {
			t.Errorf("calls lack %q:\n%s", want, calls)
		}
	}
	if strings.Contains(calls, "customers_base") {
		t.Errorf("the ephemeral model was built:\n%s", calls)
	}
}

func TestBuildGolden(t *testing.T) {
	f := &fake{}
	rep, out, _ := runShop(t, CmdBuild, f, nil, nil)
	if rep.Failed() {
		t.Errorf("build failed:\n%s", out)
	}
	golden(t, "build.golden", []byte(out))
	// Graph order: the seed before the view that reads it; a model's tests
	// before what is built on it.
	order := map[string]int{}
	for i, r := range rep.Results {
		order[r.Node.Name] = i
	}
	before := func(a, b string) {
		if order[a] >= order[b] {
			t.Errorf("%s ran after %s", a, b)
		}
	}
	before("raw_orders", "stg_orders")
	before("stg_orders", "orders")
	before("unique_orders_id", "report")
	before("not_null_orders_id", "report")
}

func TestFailedModelSkipsDescendants(t *testing.T) {
	f := &fake{failSQL: map[string]string{"orders": "amout"}}
	rep, out, _ := runShop(t, CmdRun, f, map[string]string{
		"models/orders.sql": "\n\n{# the total #}\nselect\n    id,\n    amout\nfrom {{ ref('stg_orders') }}\n",
	}, nil)
	if !strings.Contains(out, "models/orders.sql:6: ERROR: column \"amout\" does not exist\n") {
		t.Errorf("the error does not point at models/orders.sql:6:\n%s", out)
	}
	if !rep.Failed() {
		t.Fatal("the run did not fail")
	}
	golden(t, "run_failure.golden", []byte(out))
	status := map[string]Status{}
	for _, r := range rep.Results {
		status[r.Node.Name] = r.Status
	}
	want := map[string]Status{"orders": Error, "report": Skipped, "other": Success, "stg_orders": Success, "customers": Success}
	for k, v := range want {
		if status[k] != v {
			t.Errorf("%s: %s, want %s", k, status[k], v)
		}
	}
}

func TestFailFast(t *testing.T) {
	f := &fake{fail: map[string]error{"customers": errors.New("boom")}}
	rep, out, _ := runShop(t, CmdRun, f, nil, func(o *Options) { o.FailFast = true })
	if !rep.Failed() {
		t.Fatal("not failed")
	}
	var skipped int
	for _, r := range rep.Results {
		if r.Status == Skipped && r.Message == "Skipping due to fail_fast" {
			skipped++
		}
		if r.Node.Name == "report" && r.Status == Success {
			t.Error("report ran after the fail-fast stop")
		}
	}
	if skipped == 0 {
		t.Errorf("nothing skipped due to fail_fast:\n%s", out)
	}
	if len(rep.Results) != 5 {
		t.Errorf("%d results, want one per selected node (5)", len(rep.Results))
	}
	golden(t, "fail_fast.golden", []byte(out))
}

// A failing test in build skips what is built on the model it tests; a
// warning does not.
func TestBuildTestFailureSkips(t *testing.T) {
	f := &fake{query: func(sql string) (*adapters.Rows, error) {
		n := int64(0)
		if strings.Contains(sql, "is null") && strings.Contains(sql, `"orders"`) {
			n = 2
		}
		if strings.Contains(sql, `"customers"`) {
			n = 5 // a warn-severity test
		}
		return &adapters.Rows{Columns: []string{"failures", "should_warn", "should_error"}, Values: [][]any{{n, n != 0, n != 0}}}, nil
	}}
	rep, out, _ := runShop(t, CmdBuild, f, nil, nil)
	status := map[string]Status{}
	for _, r := range rep.Results {
		status[r.Node.Name] = r.Status
	}
	if status["not_null_orders_id"] != Fail || status["report"] != Skipped || status["not_null_customers_id"] != Warn {
		t.Errorf("statuses %v\n%s", status, out)
	}
	if !strings.Contains(out, "Failure in test not_null_orders_id (models/schema.yml)\n") ||
		!strings.Contains(out, "  Got 2 results, configured to fail if != 0\n") ||
		!strings.Contains(out, "  compiled code at target/compiled/shop/models/schema.yml/not_null_orders_id.sql\n") {
		t.Errorf("failure details missing:\n%s", out)
	}
	golden(t, "build_test_failure.golden", []byte(out))
}

func TestTestStatus(t *testing.T) {
	for _, tc := range []struct {
		name        string
		severity    string
		failures    int64
		warn, error bool
		want        Status
		msg         string
	}{
		{"pass", "error", 0, false, false, Pass, ""},
		{"fail", "error", 2, true, true, Fail, "Got 2 results, configured to fail if != 0"},
		{"one", "error", 1, true, true, Fail, "Got 1 result, configured to fail if != 0"},
		{"warn only", "error", 3, true, false, Warn, "Got 3 results, configured to warn if != 0"},
		{"warn severity never errors", "warn", 4, true, true, Warn, "Got 4 results, configured to warn if != 0"},
		{"warn severity passes", "warn", 0, false, false, Pass, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{query: func(string) (*adapters.Rows, error) {
				return &adapters.Rows{Columns: []string{"FAILURES", "should_warn", "should_error"}, Values: [][]any{{tc.failures, tc.warn, tc.error}}}, nil
			}}
			extra := map[string]string{"models/schema.yml": "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        tests:\n          - unique:\n              config: {severity: " + tc.severity + "}\n"}
			rep, out, _ := runShop(t, CmdTest, f, extra, nil)
			if len(rep.Results) != 1 {
				t.Fatalf("%d results\n%s", len(rep.Results), out)
			}
			r := rep.Results[0]
			if r.Status != tc.want || r.Message != tc.msg {
				t.Errorf("got %s %q, want %s %q", r.Status, r.Message, tc.want, tc.msg)
			}
			if rep.Failed() != (tc.want == Fail) {
				t.Errorf("Failed() = %v", rep.Failed())
			}
		})
	}
}

func TestTestSQL(t *testing.T) {
	f := &fake{}
	var got string
	f.query = func(sql string) (*adapters.Rows, error) {
		got = sql
		return &adapters.Rows{Columns: []string{"failures", "should_warn", "should_error"}, Values: [][]any{{"0", "false", "f"}}}, nil
	}
	extra := map[string]string{"models/schema.yml": "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        tests:\n          - not_null:\n              config: {limit: 10, fail_calc: 'sum(1)', warn_if: '> 5', error_if: '>= 100'}\n"}
	rep, out, _ := runShop(t, CmdTest, f, extra, nil)
	if rep.Failed() {
		t.Fatal(out)
	}
	for _, want := range []string{"sum(1) as failures", "sum(1) > 5 as should_warn", "sum(1) >= 100 as should_error", "limit 10\n    ) dbt_internal_test"} {
		if !strings.Contains(got, want) {
			t.Errorf("test SQL lacks %q:\n%s", want, got)
		}
	}
}

func TestStoreFailures(t *testing.T) {
	f := &fake{query: func(sql string) (*adapters.Rows, error) {
		return &adapters.Rows{Columns: []string{"failures", "should_warn", "should_error"}, Values: [][]any{{int64(1), true, true}}}, nil
	}}
	rep, out, _ := runShop(t, CmdTest, f, nil, func(o *Options) { o.StoreFailures = true })
	var stored []string
	for _, m := range f.built {
		stored = append(stored, m.Kind+" "+m.Relation.Schema+"."+m.Relation.Identifier)
	}
	want := "table analytics_dbt_test__audit.not_null_customers_id,table analytics_dbt_test__audit.not_null_orders_id,table analytics_dbt_test__audit.unique_orders_id"
	if strings.Join(sortedCopy(stored), ",") != want {
		t.Errorf("stored %v, want %s", stored, want)
	}
	if !strings.Contains(strings.Join(f.callList(), "\n"), "ensure schema db.analytics_dbt_test__audit") {
		t.Error("the audit schema was not created")
	}
	if !strings.Contains(out, `select * from "db"."analytics_dbt_test__audit"."unique_orders_id"`) {
		t.Errorf("no pointer to the stored failures:\n%s", out)
	}
	if !rep.Failed() {
		t.Error("not failed")
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestSeed(t *testing.T) {
	f := &fake{}
	extra := map[string]string{"dbt_project.yml": "name: shop\nprofile: shop\nseeds:\n  shop:\n    raw_orders:\n      +column_types: {amount: numeric}\n      +quote_columns: false\n"}
	rep, out, _ := runShop(t, CmdSeed, f, extra, func(o *Options) { o.FullRefresh = true })
	if rep.Failed() || len(f.seeds) != 1 {
		t.Fatalf("seed failed:\n%s", out)
	}
	s := f.seeds[0]
	if s.QuoteColumns || !s.FullRefresh || s.Columns[1].DataType != "numeric" || s.Relation.Identifier != "raw_orders" {
		t.Errorf("seed %+v", s)
	}
	if !strings.Contains(out, "OK loaded seed file analytics.raw_orders") || !strings.Contains(out, "[CREATE 3 in 0.00s]") {
		t.Errorf("progress:\n%s", out)
	}
}

func TestLocked(t *testing.T) {
	f := &fake{lockErr: &adapters.Error{Code: adapters.Locked, Msg: "held by pid 4242 since 09:29:58"}}
	dir := writeProject(t, shop)
	opts := testOptions(t, dir, CmdRun, f, nil)
	_, err := Run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "target 'dev' is busy: ") || !strings.Contains(err.Error(), "pid 4242") {
		t.Errorf("err = %v", err)
	}
}

// Ctrl-C: the running statement is cancelled, the run stops promptly and
// reports what finished.
func TestCancel(t *testing.T) {
	f := &fake{block: map[string]bool{"orders": true}, started: make(chan string, 1)}
	dir := writeProject(t, shop)
	var log bytes.Buffer
	opts := testOptions(t, dir, CmdRun, f, &log)
	opts.Threads = 2
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-f.started
		cancel()
	}()
	start := time.Now()
	rep, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if !rep.Interrupted {
		t.Error("not marked interrupted")
	}
	for _, r := range rep.Results {
		if r.Node.Name == "orders" || r.Node.Name == "report" {
			t.Errorf("%s reported as %s", r.Node.Name, r.Status)
		}
	}
	out := log.String()
	if !strings.Contains(out, "CANCEL query model.shop.orders") || !strings.Contains(out, "Exited because of keyboard interrupt") {
		t.Errorf("output:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "target", "run_results.json")); err != nil {
		t.Error("run_results.json not written")
	}
}

func TestIncremental(t *testing.T) {
	extra := map[string]string{
		"models/events.sql": "{{ config(materialized='incremental', unique_key=['id', 'day'], incremental_strategy='merge', on_schema_change='append_new_columns') }}\nselect 1 as id, 2 as day\n{% if is_incremental() %}where day > (select max(day) from {{ this }}){% endif %}\n",
	}
	for _, tc := range []struct {
		name     string
		exists   bool
		full     bool
		wantIncr bool
	}{
		{"first run", false, false, false},
		{"second run", true, false, true},
		{"full refresh", true, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{relations: map[string][]adapters.Relation{}}
			if tc.exists {
				f.relations["analytics"] = []adapters.Relation{{Database: "db", Schema: "analytics", Identifier: "events", Type: adapters.Table}}
			}
			_, out, _ := runShop(t, CmdRun, f, extra, func(o *Options) { o.FullRefresh = tc.full })
			var ev *adapters.Materialization
			for i := range f.built {
				if f.built[i].Relation.Identifier == "events" {
					ev = &f.built[i]
				}
			}
			if ev == nil {
				t.Fatalf("events not built:\n%s", out)
			}
			got := strings.Contains(ev.SQL, "where day >")
			if got != tc.wantIncr {
				t.Errorf("is_incremental() branch rendered = %v, want %v:\n%s", got, tc.wantIncr, ev.SQL)
			}
			inc := ev.Incremental
			if inc == nil || inc.Strategy != "merge" || strings.Join(inc.UniqueKey, ",") != "id,day" || inc.OnSchemaChange != "append_new_columns" || ev.FullRefresh != tc.full {
				t.Errorf("materialization %+v %+v", ev, inc)
			}
		})
	}
}

func TestProjectHooks(t *testing.T) {
	f := &fake{}
	extra := map[string]string{
		"dbt_project.yml": "name: shop\nprofile: shop\non-run-start: [\"create table if not exists audit (n int)\"]\n" +
			"on-run-end:\n  - \"insert into audit values ({{ results | length }}) -- {% for s in schemas %}{{ s }}{% endfor %}\"\n",
		"models/orders.sql": "{{ config(pre_hook=\"select 'pre {{ this.name }}'\", post_hook=[\"select 'post'\"]) }}\nselect 1 as id\n",
	}
	rep, out, _ := runShop(t, CmdRun, f, extra, nil)
	if rep.Failed() {
		t.Fatal(out)
	}
	calls := strings.Join(f.callList(), "\n")
	if !strings.Contains(calls, "exec create table if not exists audit (n int)") || !strings.Contains(calls, "exec insert into audit values (5) -- analytics") {
		t.Errorf("hooks not run as expected:\n%s", calls)
	}
	for _, m := range f.built {
		if m.Relation.Identifier == "orders" {
			if len(m.PreHooks) != 1 || m.PreHooks[0].SQL != "select 'pre orders'" || len(m.PostHooks) != 1 || !m.PostHooks[0].Transaction {
				t.Errorf("model hooks %+v %+v", m.PreHooks, m.PostHooks)
			}
		}
	}
	for _, want := range []string{
		"Running 1 on-run-start hook",
		"1 of 1 START hook: shop.on-run-start.0 ",
		"1 of 1 OK hook: shop.on-run-end.0 ",
		"Finished running 5 view models, 2 project hooks in",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
