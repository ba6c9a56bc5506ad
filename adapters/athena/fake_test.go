package athena

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/internal/awsfake"
	"github.com/gmodel/gmodel/profiles"
)

func TestMain(m *testing.M) {
	// Retries and waits as in production, only shorter.
	maxBackoff = 5 * time.Millisecond
	lockPoll = 20 * time.Millisecond
	os.Exit(m.Run())
}

const (
	testStaging = "s3://results/athena/"
	testData    = "s3://data/warehouse/"
)

// testProfile is the target the adapter tests open.
func testProfile() *profiles.Athena {
	return &profiles.Athena{
		Type: "athena", RegionName: awsfake.Region, S3StagingDir: testStaging, S3DataDir: testData, S3TmpTableDir: testData,
		S3DataNaming: profiles.NamingSchemaTable, Database: profiles.DefaultCatalog, Schema: "analytics",
		PollInterval: 0.001, NumRetries: 3, Threads: 4,
	}
}

// openFake opens the adapter on a fresh fake, with the profile as
// changed by edit.
func openFake(t *testing.T, edit func(*profiles.Athena)) (*Adapter, *awsfake.Server) {
	t.Helper()
	s := awsfake.New(t)
	s.PollsUntilDone = 1
	s.CreateBucket("results")
	s.CreateBucket("data")
	for _, db := range []string{"analytics", "bronze", "silver", "gold"} {
		s.CreateDatabase(db)
	}
	cfg := testProfile()
	if edit != nil {
		edit(cfg)
	}
	awsCfg := s.Config()
	awsCfg.Retryer = func() aws.Retryer { return retryer(cfg.NumRetries) }
	a, err := newAdapter(cfg, awsCfg, adapters.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CheckWorkGroup(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a, s
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// sqlOf lists the SQL of the queries started, in order.
func sqlOf(s *awsfake.Server) []string {
	var out []string
	for _, c := range s.CallsOf("athena", "StartQueryExecution") {
		out = append(out, c.Detail)
	}
	return out
}

func TestTableBuildAndSwap(t *testing.T) {
	a, s := openFake(t, nil)
	c := ctx(t)
	if err := a.EnsureSchema(c, "", "gold"); err != nil {
		t.Fatal(err)
	}
	m := adapters.Materialization{Kind: "table", Relation: adapters.Relation{Schema: "gold", Identifier: "Orders"},
		SQL: "select cast(1 as integer) as id, 'a' as name"}
	if _, err := a.Materialize(c, m); err != nil {
		t.Fatal(err)
	}
	first := s.Table("gold", "orders")
	if first == nil || location(first) == "" {
		t.Fatalf("no table gold.orders: %+v", first)
	}
	firstLoc := location(first)
	if !strings.HasPrefix(firstLoc, testData+"gold/orders/") {
		t.Errorf("location %s is not under %sgold/orders/", firstLoc, testData)
	}
	if objs := s.S3Objects(firstLoc); len(objs) == 0 {
		t.Errorf("no data under %s", firstLoc)
	}
	if s.Table("gold", "orders"+tmpSuffix) != nil {
		t.Error("the table built aside is still in Glue")
	}
	// A second build: a new location, the old data deleted.
	if _, err := a.Materialize(c, m); err != nil {
		t.Fatal(err)
	}
	second := location(s.Table("gold", "orders"))
	if second == firstLoc || !strings.HasPrefix(second, testData+"gold/orders/") {
		t.Errorf("second location %s (first %s)", second, firstLoc)
	}
	if objs := s.S3Objects(firstLoc); len(objs) != 0 {
		t.Errorf("old data left: %v", objs)
	}
	if objs := s.S3Objects(second); len(objs) == 0 {
		t.Errorf("no data under %s", second)
	}
	cols, err := a.Columns(c, adapters.Relation{Schema: "gold", Identifier: "orders"})
	if err != nil || len(cols) != 2 || cols[0].Name != "id" {
		t.Errorf("columns %v, %v", cols, err)
	}
	for _, q := range sqlOf(s) {
		t.Log(q)
	}
}

func build(t *testing.T, a *Adapter, m adapters.Materialization) adapters.Result {
	t.Helper()
	res, err := a.Materialize(ctx(t), m)
	if err != nil {
		t.Fatalf("Materialize %s: %v", m.Relation.Identifier, err)
	}
	return res
}

func model(kind, schema, name, sql string, cfg map[string]any) adapters.Materialization {
	return adapters.Materialization{Kind: kind, Relation: adapters.Relation{Schema: schema, Identifier: name}, SQL: sql, Config: cfg}
}

func asError(t *testing.T, err error) *adapters.Error {
	t.Helper()
	var ae *adapters.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %T %v is not an *adapters.Error", err, err)
	}
	return ae
}

// A FAILED query is an error with Athena's reason, its position mapped
// into the model's SQL; the old table stays.
func TestFailedQueryMapsToModel(t *testing.T) {
	a, s := openFake(t, nil)
	build(t, a, model("table", "gold", "t", "select 1 as id", nil))
	before := location(s.Table("gold", "t"))
	sql := "\nselect 1 as id,\n  amout as x"
	// Athena counts in the statement sent: the model starts on line 8 of
	// the CTAS (7 lines of prefix), "amout" is on its third line.
	s.FailQuery(func(q string) bool { return strings.Contains(q, "amout") },
		"COLUMN_NOT_FOUND: line 10:3: Column 'amout' cannot be resolved or requester is not authorized to access requested resources")
	_, err := a.Materialize(ctx(t), model("table", "gold", "t", sql, nil))
	ae := asError(t, err)
	if ae.Code != adapters.SQL || ae.State != "COLUMN_NOT_FOUND" || !strings.Contains(ae.Msg, "Column 'amout' cannot be resolved") {
		t.Errorf("error %+v", ae)
	}
	if ae.SQL != sql || ae.Position != strings.Index(sql, "amout")+1 {
		t.Errorf("error SQL %q position %d; want the model's SQL and %d", ae.SQL, ae.Position, strings.Index(sql, "amout")+1)
	}
	if got := location(s.Table("gold", "t")); got != before {
		t.Errorf("the table moved from %s to %s", before, got)
	}
	if s.Table("gold", "t"+tmpSuffix) != nil {
		t.Error("the failed build's table is left in Glue")
	}
}

func TestPosition(t *testing.T) {
	sql := "ab\ncdé\nf"
	for _, tc := range []struct{ line, col, want int }{{1, 1, 1}, {2, 1, 4}, {2, 3, 6}, {3, 1, 8}, {3, 3, 0}, {4, 1, 0}, {0, 1, 0}} {
		if got := position(sql, tc.line, tc.col); got != tc.want {
			t.Errorf("position(%d:%d) = %d, want %d", tc.line, tc.col, got, tc.want)
		}
	}
}

// Throttled calls are retried by the SDK's retryer; a query Athena says
// may succeed when resubmitted is resubmitted.
func TestThrottlingThenSuccess(t *testing.T) {
	a, s := openFake(t, nil)
	s.Throttle("StartQueryExecution", 2)
	s.Throttle("GetQueryExecution", 1)
	s.Throttle("GetTable", 1)
	s.FailQuery(func(q string) bool { return strings.Contains(q, "create table") }, "Query exhausted resources at this scale factor").Times(1).Retryable()
	build(t, a, model("table", "gold", "t", "select 1 as id", nil))
	if n := len(s.CallsOf("athena", "StartQueryExecution")); n != 4 {
		t.Errorf("%d StartQueryExecution calls, want 4 (2 throttled, 1 failed and resubmitted, 1 ok)", n)
	}
	if s.Table("gold", "t") == nil {
		t.Error("no table")
	}
	// Without retries left, throttling is an error.
	b, s2 := openFake(t, func(p *profiles.Athena) { p.NumRetries = 1 })
	s2.Throttle("StartQueryExecution", 3)
	_, err := b.Exec(ctx(t), "drop table if exists `gold`.`x`")
	if err == nil || !strings.Contains(err.Error(), "TooManyRequestsException") {
		t.Errorf("err = %v, want the throttling error", err)
	}
}

// Cancelling the context stops the query on Athena.
func TestCancelStopsQuery(t *testing.T) {
	a, s := openFake(t, nil)
	s.Hold(func(q string) bool { return strings.Contains(q, "slow") })
	c, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := a.Materialize(c, model("table", "gold", "t", "select 1 as slow", nil))
		done <- err
	}()
	for len(s.CallsOf("athena", "GetQueryExecution")) < 2 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	err := <-done
	if adapters.CodeOf(err) != adapters.Canceled || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want Canceled wrapping context.Canceled", err)
	}
	stops := s.CallsOf("athena", "StopQueryExecution")
	if len(stops) != 1 {
		t.Fatalf("%d StopQueryExecution calls, want 1", len(stops))
	}
	if st, _ := s.QueryState(stops[0].Detail); st != "CANCELLED" {
		t.Errorf("query state %s, want CANCELLED", st)
	}
}

// A location that overlaps what gmodel must not touch is refused before
// anything is written or deleted.
func TestOverlappingLocationRefused(t *testing.T) {
	a, s := openFake(t, nil)
	build(t, a, model("table", "gold", "other", "select 1 as id", nil))
	otherLoc := location(s.Table("gold", "other"))
	s.PutObject(testData+"keep/me.parquet", []byte("x"))
	for _, tc := range []struct{ loc, want string }{
		{testData, "it is s3_data_dir, " + testData},
		{"s3://data/", "it is a whole bucket"},
		{"s3://data/ware/", ""}, // fine: a prefix of its own
		{"s3://results/", "it is a whole bucket"},
		{"s3://results/athena/", "it is s3_staging_dir"},
		{testData + "gold/", "it contains the location of table gold.other, " + otherLoc},
		{otherLoc + "sub/", "it is inside the location of table gold.other"},
	} {
		before := len(s.Calls())
		_, err := a.Materialize(ctx(t), model("table", "gold", "t", "select 2 as id", map[string]any{"external_location": tc.loc}))
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.loc, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("%s: err = %v, want %q", tc.loc, err, tc.want)
		}
		for _, c := range s.Calls()[before:] {
			if c.Op == "StartQueryExecution" || c.Op == "DeleteObjects" || c.Op == "DeleteObject" || c.Op == "UpdateTable" || c.Op == "CreateTable" {
				t.Errorf("%s: %s %s after the refusal", tc.loc, c.Op, c.Detail)
			}
		}
	}
	if objs := s.S3Objects(testData + "keep/"); len(objs) != 1 {
		t.Errorf("objects under keep/: %v", objs)
	}
	if objs := s.S3Objects(otherLoc); len(objs) == 0 {
		t.Error("the other table's data is gone")
	}
	// The table moved to its own prefix: a rebuild there is fine and
	// deletes only the old prefix.
	build(t, a, model("table", "gold", "t", "select 3 as id", nil))
	if objs := s.S3Objects("s3://data/ware/"); len(objs) != 0 {
		t.Errorf("old data left under s3://data/ware/: %v", objs)
	}
}

func TestViewReplacesTableAndBack(t *testing.T) {
	a, s := openFake(t, nil)
	build(t, a, model("table", "silver", "r", "select 1 as id", nil))
	loc := location(s.Table("silver", "r"))
	s.ResetCalls()
	build(t, a, model("view", "silver", "r", "select 2 as id", nil))
	if tb := s.Table("silver", "r"); tb == nil || !isView(tb) {
		t.Fatalf("silver.r is not a view: %+v", tb)
	}
	if objs := s.S3Objects(loc); len(objs) != 0 {
		t.Errorf("the table's data is left: %v", objs)
	}
	for _, c := range s.Calls() {
		if c.Op == "DeleteTable" && c.Detail == "silver.r" {
			t.Error("the target was deleted from Glue: readers would see it missing")
		}
	}
	build(t, a, model("table", "silver", "r", "select 3 as id", nil))
	if tb := s.Table("silver", "r"); tb == nil || isView(tb) {
		t.Fatalf("silver.r is not a table: %+v", tb)
	}
}

func TestIcebergTableSwap(t *testing.T) {
	a, s := openFake(t, nil)
	cfg := map[string]any{"table_type": "iceberg", "partitioned_by": []any{"day(at)"}}
	build(t, a, model("table", "gold", "ice", "select 1 as id, current_timestamp as at", cfg))
	first := s.Table("gold", "ice")
	if first == nil || !isIceberg(first) {
		t.Fatalf("gold.ice is not an Iceberg table: %+v", first)
	}
	loc1 := location(first)
	s.ResetCalls()
	build(t, a, model("table", "gold", "ice", "select 2 as id, current_timestamp as at", cfg))
	if got := location(s.Table("gold", "ice")); got == loc1 {
		t.Errorf("the table was not rebuilt: location %s", got)
	}
	want := []string{"create table \"gold\".\"ice__gmodel_tmp\"", "alter table `gold`.`ice` rename to `gold`.`ice__gmodel_old`",
		"alter table `gold`.`ice__gmodel_tmp` rename to `gold`.`ice`", "drop table if exists `gold`.`ice__gmodel_old`"}
	got := sqlOf(s)
	if len(got) != len(want) {
		t.Fatalf("statements %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("statement %d: %q, want %q...", i, got[i], want[i])
		}
	}
	if objs := s.S3Objects(loc1); len(objs) != 0 {
		t.Errorf("old Iceberg data left: %v", objs)
	}
}
