package tests

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gmodel/gmodel/internal/awsfake"
	"github.com/gmodel/gmodel/internal/cli"
)

// athenaEnv is the retail example set up against the in-process fake of
// Athena, Glue and S3: the real aws-sdk-go-v2 clients reach it through
// endpoint_url.
type athenaEnv struct {
	fake *awsfake.Server
	dir  string
	env  map[string]string
}

const (
	athenaStaging = "s3://results/athena/"
	athenaData    = "s3://lake/warehouse/"
)

func newAthenaEnv(t *testing.T, rows int) *athenaEnv {
	t.Helper()
	// The SDK reads credentials from the process environment; nothing else
	// of the machine's AWS set-up may be used.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDGMODELTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "gmodel-test-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	for _, k := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	s := awsfake.New(t)
	s.PollsUntilDone = 1
	s.CreateBucket("results")
	s.CreateBucket("lake")
	// Test queries return one row of zero failures; anything else is
	// unexpected.
	s.OnSelect(func(sql string) (*awsfake.Result, error) {
		if !strings.Contains(sql, "should_error") {
			return nil, fmt.Errorf("unexpected query: %.80s", sql)
		}
		n := strings.Count(sql, "\nunion all\n") + 1
		r := &awsfake.Result{Columns: []awsfake.Col{{Name: "failures", Type: "bigint"}, {Name: "should_warn", Type: "boolean"}, {Name: "should_error", Type: "boolean"}}}
		if n > 1 {
			r.Columns = append([]awsfake.Col{{Name: "gmodel_test", Type: "integer"}}, r.Columns...)
		}
		for i := range n {
			if n > 1 {
				r.Rows = append(r.Rows, awsfake.Row(i, 0, false, false))
			} else {
				r.Rows = append(r.Rows, awsfake.Row(0, false, false))
			}
		}
		return r, nil
	})
	dir := retailProject(t, rows)
	profile := fmt.Sprintf(`retail:
  target: athena
  outputs:
    athena:
      type: athena
      region_name: eu-west-1
      s3_staging_dir: %s
      s3_data_dir: %s
      schema: analytics
      endpoint_url: "{{ env_var('GMODEL_ATHENA_ENDPOINT_URL') }}"
      poll_interval: 0.001
      threads: 1
`, athenaStaging, athenaData)
	if err := os.WriteFile(filepath.Join(dir, "profiles.yml"), []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	return &athenaEnv{fake: s, dir: dir, env: map[string]string{"GMODEL_ATHENA_ENDPOINT_URL": s.URL}}
}

func (e *athenaEnv) gmodel(t *testing.T, args ...string) result {
	t.Helper()
	return run(t, e.env, append(args, "--project-dir", e.dir, "--profiles-dir", e.dir)...)
}

// compile --target athena of the example, with its own profiles.yml, works
// offline and is Trino SQL: no PostgreSQL casts.
func TestRetailCompileAthena(t *testing.T) {
	dir := retailProject(t, 10)
	env := map[string]string{"GMODEL_ATHENA_STAGING_DIR": "s3://my-bucket/results/", "GMODEL_ATHENA_DATA_DIR": "s3://my-bucket/data/"}
	r := run(t, env, "compile", "--target", "athena", "--project-dir", dir, "--profiles-dir", dir)
	if r.code != 0 {
		t.Fatalf("compile: exit %d\n%s", r.code, r.stderr)
	}
	var files int
	err := filepath.WalkDir(filepath.Join(dir, "target", "compiled"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), "::") {
			t.Errorf("%s has a :: cast:\n%s", p, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Errorf("%d compiled files, want the 7 models and 45 tests", files)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "target", "compiled", "retail", "models", "bronze", "stg_transactions.sql"))
	if !strings.Contains(string(b), "date_parse(invoicedate") {
		t.Errorf("stg_transactions is not the Athena rendering:\n%s", b)
	}
}

var (
	uuidRe    = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	partRe    = regexp.MustCompile(`part-\d+\.json`)
	resultsRe = regexp.MustCompile(`athena/<uuid>\.(csv|csv\.metadata)`)
)

// callLog renders the recorded calls one per line, ids normalized, SQL
// cut to its first line.
func callLog(calls []awsfake.Call) string {
	var b strings.Builder
	for _, c := range calls {
		d, _, _ := strings.Cut(c.Detail, "\n")
		d = uuidRe.ReplaceAllString(d, "<uuid>")
		d = partRe.ReplaceAllString(d, "part-N.json")
		d = resultsRe.ReplaceAllString(d, "athena/<id>.$1")
		if len(d) > 120 {
			d = d[:120] + "..."
		}
		fmt.Fprintf(&b, "%s %s %s\n", c.Service, c.Op, d)
	}
	return b.String()
}

// callsGolden compares the call log with its golden (-update rewrites it).
func callsGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./tests -run TestRetailOnAthena -update writes it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs from line %d:\n got %s\nwant %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs: %d lines, want %d", path, len(gl), len(wl))
	}
}

// build --target athena of the retail example against the fake: every
// model a CTAS or view in its schema with its data under s3_data_dir,
// every test run, the API calls as designed (a golden), and a second
// build that swaps every table without a moment where it is missing.
func TestRetailOnAthena(t *testing.T) {
	e := newAthenaEnv(t, 200)
	r := e.gmodel(t, "build")
	expectDone(t, "build", r, 0, "Done. PASS=53 WARN=0 ERROR=0 SKIP=0 TOTAL=53")
	s := e.fake

	wantKind := map[string]string{
		"bronze.raw_transactions": "table", "bronze.stg_transactions": "view",
		"silver.dim_customers": "table", "silver.dim_products": "table", "silver.fact_sales": "table",
		"gold.customer_lifetime_value": "table", "gold.monthly_revenue_by_country": "table", "gold.top_products": "table",
	}
	for rel, kind := range wantKind {
		schema, name, _ := strings.Cut(rel, ".")
		tb := s.Table(schema, name)
		if tb == nil {
			t.Errorf("%s is not in Glue", rel)
			continue
		}
		isView := *tb.TableType == "VIRTUAL_VIEW"
		if isView != (kind == "view") {
			t.Errorf("%s: Glue type %s, want a %s", rel, *tb.TableType, kind)
		}
		if kind == "table" {
			loc := *tb.StorageDescriptor.Location
			if !strings.HasPrefix(loc, athenaData+schema+"/"+name+"/") || len(s.S3Objects(loc)) == 0 {
				t.Errorf("%s: location %s, objects %v", rel, loc, s.S3Objects(loc))
			}
		}
	}
	// Nothing else in Glue: what was built aside is gone.
	for _, c := range s.CallsOf("glue", "CreateTable") {
		if !strings.Contains(c.Detail, "__gmodel_") && wantKind[c.Detail] == "" {
			t.Errorf("unexpected table %s", c.Detail)
		}
	}
	for _, schema := range []string{"bronze", "silver", "gold"} {
		for _, o := range s.S3Objects(athenaData + schema + "/") {
			if strings.Contains(o, "_seed_upload") {
				t.Errorf("seed upload left: %s", o)
			}
		}
	}
	// 45 tests, one query per relation (or set of relations, for
	// relationships and the singular test) they test: 13, not 45.
	var testQueries int
	for _, c := range s.CallsOf("athena", "StartQueryExecution") {
		if strings.Contains(c.Detail, "should_error") {
			testQueries++
		}
	}
	if testQueries != 13 {
		t.Errorf("%d test queries for 45 tests", testQueries)
	}
	callsGolden(t, filepath.Join("testdata", "athena", "build_calls.golden"), callLog(s.Calls()))

	// A second build: each table swapped in Glue, never deleted, and its
	// old data deleted only after the swap.
	old := map[string]string{}
	for rel, kind := range wantKind {
		if kind == "table" {
			schema, name, _ := strings.Cut(rel, ".")
			old[rel] = *s.Table(schema, name).StorageDescriptor.Location
		}
	}
	s.ResetCalls()
	r = e.gmodel(t, "build")
	expectDone(t, "second build", r, 0, "Done. PASS=53 WARN=0 ERROR=0 SKIP=0 TOTAL=53")
	calls := s.Calls()
	for rel, loc := range old {
		schema, name, _ := strings.Cut(rel, ".")
		swapped, deleted := -1, -1
		for i, c := range calls {
			switch {
			case c.Service == "glue" && c.Op == "DeleteTable" && c.Detail == rel:
				t.Errorf("%s was deleted from Glue during the rebuild", rel)
			case c.Service == "glue" && c.Op == "UpdateTable" && c.Detail == rel && swapped < 0:
				swapped = i
			case c.Op == "DeleteObjects" && strings.Contains(c.Detail, strings.TrimPrefix(loc, "s3://")) && deleted < 0:
				deleted = i
			}
		}
		if swapped < 0 || deleted < swapped {
			t.Errorf("%s: swapped at call %d, old data deleted at %d", rel, swapped, deleted)
		}
		if objs := s.S3Objects(loc); len(objs) != 0 {
			t.Errorf("%s: old data left: %v", rel, objs)
		}
		if now := *s.Table(schema, name).StorageDescriptor.Location; now == loc || len(s.S3Objects(now)) == 0 {
			t.Errorf("%s: location %s after the rebuild (was %s)", rel, now, loc)
		}
	}

	// docs generate reads Glue.
	r = e.gmodel(t, "docs", "generate", "--no-compile")
	if r.code != 0 {
		t.Fatalf("docs generate: exit %d\n%s", r.code, r.stderr)
	}
	cat, err := os.ReadFile(filepath.Join(e.dir, "target", "catalog.json"))
	if err != nil || !strings.Contains(string(cat), `"model.retail.fact_sales"`) {
		t.Errorf("catalog.json: %v\n%.500s", err, cat)
	}
}

// The failure paths, each on a fresh fake.
func TestAthenaFailures(t *testing.T) {
	t.Run("failed query names the model file and Athena's reason", func(t *testing.T) {
		e := newAthenaEnv(t, 50)
		reason := "COLUMN_NOT_FOUND: line 20:5: Column 'invoice_at' cannot be resolved or requester is not authorized to access requested resources"
		e.fake.FailQuery(func(sql string) bool { return strings.Contains(sql, `"fact_sales__gmodel_tmp"`) }, reason)
		r := e.gmodel(t, "build")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "models/silver/fact_sales.sql:") || !strings.Contains(r.stderr, "Column 'invoice_at' cannot be resolved") {
			t.Errorf("the error does not name the file and the reason:\n%s", r.stderr)
		}
		if !strings.Contains(r.stderr, "ERROR=1 SKIP=") {
			t.Errorf("summary:\n%s", r.stderr)
		}
	})
	t.Run("throttling then success", func(t *testing.T) {
		e := newAthenaEnv(t, 50)
		e.fake.Throttle("StartQueryExecution", 2)
		e.fake.Throttle("GetTable", 1)
		e.fake.Throttle("PutObject", 1)
		r := e.gmodel(t, "seed")
		expectDone(t, "seed", r, 0, "Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1")
		if n := len(e.fake.CallsOf("athena", "StartQueryExecution")); n < 4 {
			t.Errorf("%d StartQueryExecution calls: the throttled ones were not retried", n)
		}
	})
	t.Run("ctrl-c stops the running query", func(t *testing.T) {
		e := newAthenaEnv(t, 50)
		e.fake.Hold(func(sql string) bool { return strings.Contains(sql, `"raw_transactions__gmodel_tmp"`) })
		ctx, cancel := context.WithCancel(context.Background())
		var out, errb bytes.Buffer
		f := &cli.Factory{IO: cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb},
			LookupEnv: func(k string) (string, bool) { v, ok := e.env[k]; return v, ok },
			Getwd:     os.Getwd, Home: func() (string, error) { return os.TempDir(), nil }}
		done := make(chan int, 1)
		go func() {
			done <- cli.MainWith(ctx, f, []string{"seed", "--project-dir", e.dir, "--profiles-dir", e.dir})
		}()
		for len(e.fake.CallsOf("athena", "GetQueryExecution")) < 3 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		if code := <-done; code != cli.ExitInterrupted {
			t.Errorf("exit %d, want %d\n%s", code, cli.ExitInterrupted, errb.String())
		}
		stops := e.fake.CallsOf("athena", "StopQueryExecution")
		if len(stops) != 1 {
			t.Fatalf("%d StopQueryExecution calls, want 1\n%s", len(stops), callLog(e.fake.Calls()))
		}
		if st, _ := e.fake.QueryState(stops[0].Detail); st != "CANCELLED" {
			t.Errorf("query %s is %s", stops[0].Detail, st)
		}
	})
	t.Run("overlapping external_location refused, nothing deleted", func(t *testing.T) {
		e := newAthenaEnv(t, 50)
		r := e.gmodel(t, "seed")
		expectDone(t, "seed", r, 0, "Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1")
		before := e.fake.S3Objects(athenaData)
		// The gold layer pointed at s3_data_dir itself.
		proj := filepath.Join(e.dir, "dbt_project.yml")
		b, _ := os.ReadFile(proj)
		b = bytes.Replace(b, []byte("      +schema: gold\n"), []byte("      +schema: gold\n      +external_location: "+athenaData+"\n"), 1)
		if err := os.WriteFile(proj, b, 0o644); err != nil {
			t.Fatal(err)
		}
		e.fake.ResetCalls()
		r = e.gmodel(t, "run")
		if r.code != 1 || !strings.Contains(r.stderr, "refusing to build table gold.") || !strings.Contains(r.stderr, "it is s3_data_dir, "+athenaData) {
			t.Fatalf("exit %d:\n%s", r.code, r.stderr)
		}
		for _, c := range e.fake.Calls() {
			if c.Op == "DeleteObjects" || c.Op == "DeleteObject" && !strings.Contains(c.Detail, "_gmodel_locks") {
				t.Errorf("%s %s", c.Op, c.Detail)
			}
		}
		after := e.fake.S3Objects(athenaData)
		for _, o := range before {
			if i := sort.SearchStrings(after, o); i >= len(after) || after[i] != o {
				t.Errorf("%s was deleted", o)
			}
		}
	})
}
