package athena

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/adapters/adaptertest"
	"github.com/gmodel/gmodel/docsite"
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

func incremental(schema, name, sql string, inc adapters.Incremental, cfg map[string]any) adapters.Materialization {
	m := model("incremental", schema, name, sql, cfg)
	m.Incremental = &inc
	return m
}

func TestIncrementalHiveAppendAndSchemaChange(t *testing.T) {
	a, s := openFake(t, nil)
	inc := adapters.Incremental{Strategy: "append", OnSchemaChange: "append_new_columns"}
	build(t, a, incremental("gold", "m", "select 1 as id", inc, nil))
	s.ResetCalls()
	build(t, a, incremental("gold", "m", "select 2 as id, 'x' as extra", inc, nil))
	got := sqlOf(s)
	want := []string{
		"create or replace view \"gold\".\"m__gmodel_new\" as\nselect 2 as id, 'x' as extra",
		"insert into \"gold\".\"m\" (\"id\", \"extra\")\nselect \"id\", \"extra\" from \"gold\".\"m__gmodel_new\"",
	}
	if strings.Join(got, "\n;\n") != strings.Join(want, "\n;\n") {
		t.Errorf("statements:\n%s\nwant:\n%s", strings.Join(got, "\n;\n"), strings.Join(want, "\n;\n"))
	}
	cols, _ := a.Columns(ctx(t), adapters.Relation{Schema: "gold", Identifier: "m"})
	if len(cols) != 2 || cols[1].Name != "extra" {
		t.Errorf("columns %v, want id and extra", cols)
	}
	if s.Table("gold", "m"+newSuffix) != nil {
		t.Error("the view of new rows is left")
	}
	// fail: the difference is named, nothing inserted.
	s.ResetCalls()
	_, err := a.Materialize(ctx(t), incremental("gold", "m", "select 3 as id", adapters.Incremental{Strategy: "append", OnSchemaChange: "fail"}, nil))
	if adapters.CodeOf(err) != adapters.Invalid || !strings.Contains(err.Error(), `"extra"`) {
		t.Errorf("err = %v", err)
	}
	for _, q := range sqlOf(s) {
		if strings.HasPrefix(q, "insert") {
			t.Errorf("inserted after on_schema_change fail: %s", q)
		}
	}
	// sync_all_columns on Hive: the Glue columns become the model's.
	build(t, a, incremental("gold", "m", "select 4 as id", adapters.Incremental{Strategy: "append", OnSchemaChange: "sync_all_columns"}, nil))
	cols, _ = a.Columns(ctx(t), adapters.Relation{Schema: "gold", Identifier: "m"})
	if len(cols) != 1 {
		t.Errorf("columns after sync %v", cols)
	}
	// Hive cannot merge.
	_, err = a.Materialize(ctx(t), incremental("gold", "m", "select 5 as id", adapters.Incremental{Strategy: "merge", UniqueKey: []string{"id"}}, nil))
	if adapters.CodeOf(err) != adapters.Invalid || !strings.Contains(err.Error(), "Iceberg") {
		t.Errorf("merge on hive: %v", err)
	}
}

func TestIncrementalIcebergMerge(t *testing.T) {
	a, s := openFake(t, nil)
	cfg := map[string]any{"table_type": "iceberg"}
	inc := adapters.Incremental{UniqueKey: []string{"id"}, OnSchemaChange: "sync_all_columns"}
	build(t, a, incremental("gold", "m", "select 1 as id, 'a' as gone", inc, cfg))
	s.ResetCalls()
	build(t, a, incremental("gold", "m", "select 2 as id, 'b' as name", inc, cfg))
	got := sqlOf(s)
	want := []string{
		"create or replace view",
		"alter table `gold`.`m` add columns (`name` string)",
		"alter table `gold`.`m` drop column `gone`",
		"merge into \"gold\".\"m\" as DBT_INTERNAL_DEST\nusing \"gold\".\"m__gmodel_new\" as DBT_INTERNAL_SOURCE\non DBT_INTERNAL_SOURCE.id = DBT_INTERNAL_DEST.id",
	}
	if len(got) != len(want) {
		t.Fatalf("statements %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("statement %d: %q, want %q...", i, got[i], want[i])
		}
	}
}

// insert_overwrite replaces the partitions of the new rows: their Glue
// entries point at new data, and only the replaced partitions' old data
// goes.
func TestIncrementalInsertOverwrite(t *testing.T) {
	a, s := openFake(t, nil)
	parts := [][]string{{"2024-01-01"}, {"2024-01-02"}}
	s.OnPartitionValues(func(sql string) [][]string { return parts })
	cfg := map[string]any{"partitioned_by": []any{"day"}}
	inc := adapters.Incremental{}
	build(t, a, incremental("gold", "p", "select 1 as id, cast(current_date as date) as day", inc, cfg))
	loc := location(s.Table("gold", "p"))
	if ps := s.Partitions("gold", "p"); len(ps) != 2 {
		t.Fatalf("%d partitions", len(ps))
	}
	day1 := s.S3Objects(loc + "day=2024-01-01/")
	day2 := s.S3Objects(loc + "day=2024-01-02/")
	if len(day1) == 0 || len(day2) == 0 {
		t.Fatalf("partition data: %v %v", day1, day2)
	}
	parts = [][]string{{"2024-01-02"}, {"2024-01-03"}}
	build(t, a, incremental("gold", "p", "select 2 as id, cast(current_date as date) as day", inc, cfg))
	ps := s.Partitions("gold", "p")
	byDay := map[string]string{}
	for _, p := range ps {
		byDay[p.Values[0]] = aws.ToString(p.StorageDescriptor.Location)
	}
	if len(byDay) != 3 || !strings.HasPrefix(byDay["2024-01-01"], loc+"day=") || strings.HasPrefix(byDay["2024-01-02"], loc+"day=") {
		t.Errorf("partitions %v", byDay)
	}
	if objs := s.S3Objects(loc + "day=2024-01-02/"); len(objs) != 0 {
		t.Errorf("the replaced partition's data is left: %v", objs)
	}
	if objs := s.S3Objects(loc + "day=2024-01-01/"); len(objs) != len(day1) {
		t.Errorf("the untouched partition's data changed: %v", objs)
	}
	if got := location(s.Table("gold", "p")); got != loc {
		t.Errorf("table location moved to %s", got)
	}
	if s.Table("gold", "p"+tmpSuffix) != nil {
		t.Error("the table aside is left")
	}
}

// More than 100 partitions: a CTAS of the first 100, INSERTs of the rest.
func TestTooManyPartitionsBatched(t *testing.T) {
	a, s := openFake(t, nil)
	var all [][]string
	for i := range 250 {
		all = append(all, []string{fmt.Sprint(i)})
	}
	s.OnPartitionValues(func(sql string) [][]string {
		if !strings.Contains(sql, "gmodel_batch") {
			return all
		}
		var vals [][]string
		for _, m := range regexp.MustCompile(`"p" = (\d+)`).FindAllStringSubmatch(sql, -1) {
			vals = append(vals, []string{m[1]})
		}
		return vals
	})
	s.OnSelect(func(sql string) (*awsfake.Result, error) {
		if !strings.HasPrefix(sql, "select distinct") {
			return nil, fmt.Errorf("unexpected %s", sql)
		}
		r := &awsfake.Result{Columns: []awsfake.Col{{Name: "p", Type: "integer"}}}
		for i := range all {
			r.Rows = append(r.Rows, awsfake.Row(i))
		}
		return r, nil
	})
	build(t, a, model("table", "gold", "big", "select 1 as id, cast(n as integer) as p from (values (1)) as src(n)", map[string]any{"partitioned_by": []any{"p"}}))
	var ctas, inserts int
	for _, q := range sqlOf(s) {
		switch {
		case strings.HasPrefix(q, "create table") && strings.Contains(q, "gmodel_batch"):
			ctas++
		case strings.HasPrefix(q, "insert into \"gold\".\"big__gmodel_tmp\""):
			inserts++
		}
	}
	if ctas != 1 || inserts != 2 {
		t.Errorf("%d batched CTAS and %d inserts, want 1 and 2:\n%s", ctas, inserts, strings.Join(sqlOf(s), "\n--\n"))
	}
	if n := len(s.Partitions("gold", "big")); n != 100+100+50 {
		t.Errorf("%d partitions in Glue, want 250", n)
	}
}

func TestSeedLoad(t *testing.T) {
	a, s := openFake(t, nil)
	rows := adaptertest.NewRows([]string{"1", "tab\there", "2024-01-31"}, []string{"2", `\N`, `\N`}, []string{"3", "", "2024-02-29"})
	res, err := a.LoadSeed(ctx(t), adapters.Seed{
		Relation: adapters.Relation{Schema: "bronze", Identifier: "raw"},
		Columns:  []adapters.Column{{Name: "Id", DataType: "integer"}, {Name: "name", DataType: "text"}, {Name: "day", DataType: "date"}},
		Rows:     rows,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.RowsAffected != 3 {
		t.Errorf("RowsAffected %d", res.RowsAffected)
	}
	var upload string
	for _, c := range s.CallsOf("s3", "PutObject") {
		if strings.Contains(c.Detail, "_seed_upload/") {
			upload = c.Detail
		}
	}
	if !strings.HasPrefix(upload, testData+"bronze/raw/_seed_upload/") {
		t.Fatalf("upload at %q", upload)
	}
	body, _ := s.Object(upload)
	wantBody := `{"c0":"1","c1":"tab\there","c2":"2024-01-31"}` + "\n" + `{"c0":"2","c1":null,"c2":null}` + "\n" + `{"c0":"3","c1":"","c2":"2024-02-29"}` + "\n"
	if string(body) != wantBody && len(body) != 0 {
		t.Errorf("upload:\n%s\nwant:\n%s", body, wantBody)
	}
	if objs := s.S3Objects(testData + "bronze/raw/_seed_upload/"); len(objs) != 0 {
		t.Errorf("the upload is left: %v", objs)
	}
	if s.Table("bronze", "raw"+uploadSuffix) != nil || s.Table("bronze", "raw"+tmpSuffix) != nil {
		t.Error("tables aside are left")
	}
	tb := s.Table("bronze", "raw")
	if tb == nil {
		t.Fatal("no table bronze.raw")
	}
	var types []string
	for _, c := range columnsOf(tb) {
		types = append(types, c.Name+" "+c.DataType)
	}
	if got := strings.Join(types, ", "); got != "id int, name string, day date" {
		t.Errorf("columns %s", got)
	}
	// A row of the wrong width fails before anything is built.
	_, err = a.LoadSeed(ctx(t), adapters.Seed{Relation: adapters.Relation{Schema: "bronze", Identifier: "raw"},
		Columns: []adapters.Column{{Name: "a", DataType: "integer"}, {Name: "b", DataType: "integer"}},
		Rows:    adaptertest.NewRows([]string{"1", "2"}, []string{"3"})})
	if err == nil || !strings.Contains(err.Error(), "row 2 has 1 values") {
		t.Errorf("err = %v", err)
	}
}

func TestQueryTypes(t *testing.T) {
	a, s := openFake(t, nil)
	s.OnSelect(func(sql string) (*awsfake.Result, error) {
		r := &awsfake.Result{Columns: []awsfake.Col{{Name: "i", Type: "integer"}, {Name: "b", Type: "bigint"}, {Name: "s", Type: "varchar"}, {Name: "n", Type: "integer"}, {Name: "t", Type: "boolean"},
			{Name: "f", Type: "double"}, {Name: "dw", Type: "decimal"}, {Name: "df", Type: "decimal"}, {Name: "d", Type: "date"}, {Name: "ts", Type: "timestamp"}, {Name: "arr", Type: "array"}}}
		for range 2500 {
			r.Rows = append(r.Rows, awsfake.Row(1, "9007199254740993", "x", nil, "true", "2.5", "12.00", "12.50", "2024-01-31", "2024-01-31 10:11:12.123", "[1, 2]"))
		}
		return r, nil
	})
	rows, err := a.Query(ctx(t), "select 1 as whatever")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Values) != 2500 {
		t.Fatalf("%d rows, want 2500 (over 3 pages, header skipped)", len(rows.Values))
	}
	got := fmt.Sprintf("%#v", rows.Values[2499])
	want := fmt.Sprintf("%#v", []any{int64(1), int64(9007199254740993), "x", nil, true, 2.5, int64(12), 12.5,
		time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 31, 10, 11, 12, 123e6, time.UTC), "[1, 2]"})
	if got != want {
		t.Errorf("row\n%s\nwant\n%s", got, want)
	}
}

func TestLock(t *testing.T) {
	a, s := openFake(t, nil)
	unlock, err := a.Lock(ctx(t), "", "gold", false)
	if err != nil {
		t.Fatal(err)
	}
	key := testStaging + "_gmodel_locks/awsdatacatalog/gold.json"
	if _, ok := s.Object(key); !ok {
		t.Fatalf("no lock object %s", key)
	}
	_, err = a.Lock(ctx(t), "", "gold", false)
	if adapters.CodeOf(err) != adapters.Locked || !strings.Contains(err.Error(), "pid ") || !strings.Contains(err.Error(), key) {
		t.Errorf("err = %v", err)
	}
	unlock()
	if _, ok := s.Object(key); ok {
		t.Error("the lock object is left")
	}
}

// Several tests of a relation are one query; its rows go back to each.
func TestQueryTestsOneQuery(t *testing.T) {
	a, s := openFake(t, nil)
	s.OnSelect(func(sql string) (*awsfake.Result, error) {
		n := strings.Count(sql, "union all") + 1
		r := &awsfake.Result{Columns: []awsfake.Col{{Name: "gmodel_test", Type: "integer"}, {Name: "failures", Type: "bigint"},
			{Name: "should_warn", Type: "boolean"}, {Name: "should_error", Type: "boolean"}}}
		for i := n - 1; i >= 0; i-- {
			r.Rows = append(r.Rows, awsfake.Row(i, i*10, i > 0, i > 0))
		}
		return r, nil
	})
	q := func(i int) string {
		return fmt.Sprintf("select count(*) as failures, false as should_warn, false as should_error from (select %d as x) t", i)
	}
	rows, err := a.QueryTests(ctx(t), []string{q(0), q(1), q(2)})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.CallsOf("athena", "StartQueryExecution")); n != 1 {
		t.Errorf("%d queries, want 1", n)
	}
	for i, r := range rows {
		if len(r.Values) != 1 || r.Values[0][0] != int64(i*10) || r.Values[0][1] != (i > 0) || len(r.Columns) != 3 {
			t.Errorf("test %d: %v %v", i, r.Columns, r.Values)
		}
	}
	golden(t, "tests_union.sql", unionTestsSQL([]string{q(0), q(1)})+"\n")
}

// docs generate's catalog comes from Glue: columns, types, comments,
// partition keys, statistics from the table parameters.
func TestCatalogFromGlue(t *testing.T) {
	a, s := openFake(t, nil)
	s.OnPartitionValues(func(string) [][]string { return [][]string{{"2024-01-01"}} })
	build(t, a, model("table", "gold", "sales", "select cast(1 as bigint) as id, cast(2.5 as double) as amount, cast(current_date as date) as day", map[string]any{"partitioned_by": []any{"day"}}))
	build(t, a, model("view", "gold", "v", "select 1 as id", nil))
	cat := docsite.New("1.8.0", "now", "id")
	rels := []docsite.Relation{
		{UniqueID: "model.p.sales", Database: "awsdatacatalog", Schema: "gold", Name: "sales"},
		{UniqueID: "model.p.v", Schema: "gold", Name: "v"},
		{UniqueID: "model.p.missing", Schema: "gold", Name: "missing"},
	}
	if err := cat.Fill(ctx(t), a, rels); err != nil {
		t.Fatal(err)
	}
	if len(cat.Nodes) != 2 {
		t.Fatalf("nodes %v", cat.Nodes)
	}
	sales := cat.Nodes["model.p.sales"]
	var cols []string
	for i := 1; i <= len(sales.Columns); i++ {
		for _, c := range sales.Columns {
			if c.Index == int64(i) {
				cols = append(cols, c.Name+" "+c.Type)
			}
		}
	}
	if got := strings.Join(cols, ", "); got != "id bigint, amount double, day date" || sales.Metadata.Type != "BASE TABLE" {
		t.Errorf("sales: %s (%s)", got, sales.Metadata.Type)
	}
	if cat.Nodes["model.p.v"].Metadata.Type != "VIEW" {
		t.Errorf("v is %s", cat.Nodes["model.p.v"].Metadata.Type)
	}
	for _, c := range s.Calls() {
		if c.Service == "athena" && c.Op == "StartQueryExecution" && !strings.HasPrefix(c.Detail, "create") {
			t.Errorf("the catalog ran a query: %s", c.Detail)
		}
	}
}

func TestHiveTablePropertiesInGlue(t *testing.T) {
	a, s := openFake(t, nil)
	build(t, a, model("table", "gold", "t", "select 1 as id", map[string]any{"table_properties": map[string]any{"classification": "parquet", "owner_team": "data"}}))
	if p := s.Table("gold", "t").Parameters; p["owner_team"] != "data" || p["classification"] != "parquet" {
		t.Errorf("parameters %v", p)
	}
}
