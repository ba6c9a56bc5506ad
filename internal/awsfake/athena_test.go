package awsfake_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gmodel/gmodel/internal/awsfake"
)

const staging = "s3://results/athena/"

type clients struct {
	fake   *awsfake.Server
	athena *athena.Client
	glue   *glue.Client
	s3     *s3.Client
}

func newClients(t *testing.T) *clients {
	t.Helper()
	f := awsfake.New(t)
	cfg := f.Config()
	return &clients{
		fake:   f,
		athena: athena.NewFromConfig(cfg),
		glue:   glue.NewFromConfig(cfg),
		s3:     s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
	}
}

// start submits a query in database db with the staging location.
func (c *clients) start(t *testing.T, db, sql string) string {
	t.Helper()
	out, err := c.athena.StartQueryExecution(context.Background(), &athena.StartQueryExecutionInput{
		QueryString:           aws.String(sql),
		QueryExecutionContext: &athenatypes.QueryExecutionContext{Database: aws.String(db)},
		ResultConfiguration:   &athenatypes.ResultConfiguration{OutputLocation: aws.String(staging)},
	})
	if err != nil {
		t.Fatalf("StartQueryExecution(%q): %v", sql, err)
	}
	return aws.ToString(out.QueryExecutionId)
}

// wait polls a query to its terminal state.
func (c *clients) wait(t *testing.T, id string) *athenatypes.QueryExecution {
	t.Helper()
	for range 100 {
		out, err := c.athena.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatalf("GetQueryExecution: %v", err)
		}
		switch out.QueryExecution.Status.State {
		case athenatypes.QueryExecutionStateSucceeded, athenatypes.QueryExecutionStateFailed, athenatypes.QueryExecutionStateCancelled:
			return out.QueryExecution
		}
	}
	t.Fatalf("query %s never finished", id)
	return nil
}

// run runs a statement and fails the test unless it succeeds.
func (c *clients) run(t *testing.T, db, sql string) *athenatypes.QueryExecution {
	t.Helper()
	qe := c.wait(t, c.start(t, db, sql))
	if qe.Status.State != athenatypes.QueryExecutionStateSucceeded {
		t.Fatalf("%s: %s: %s", sql, qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	return qe
}

// fail runs a statement that must fail and returns its reason.
func (c *clients) fail(t *testing.T, db, sql string) string {
	t.Helper()
	qe := c.wait(t, c.start(t, db, sql))
	if qe.Status.State != athenatypes.QueryExecutionStateFailed {
		t.Fatalf("%s: state %s, want FAILED", sql, qe.Status.State)
	}
	return aws.ToString(qe.Status.StateChangeReason)
}

func TestQueryLifecycle(t *testing.T) {
	c := newClients(t)
	c.fake.PollsUntilDone = 2
	c.fake.OnSelect(func(sql string) (*awsfake.Result, error) {
		return &awsfake.Result{
			Columns: []awsfake.Col{{Name: "n", Type: "integer"}, {Name: "s"}},
			Rows:    [][]*string{awsfake.Row(1, "a"), awsfake.Row(2, nil)},
		}, nil
	})
	id := c.start(t, "default", "select 1 as n, 'a' as s")
	var states []athenatypes.QueryExecutionState
	for range 3 {
		out, err := c.athena.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, out.QueryExecution.Status.State)
		if out.QueryExecution.Status.State == athenatypes.QueryExecutionStateSucceeded {
			qe := out.QueryExecution
			if got, want := aws.ToString(qe.ResultConfiguration.OutputLocation), staging+id+".csv"; got != want {
				t.Errorf("OutputLocation = %s, want %s", got, want)
			}
			if qe.StatementType != athenatypes.StatementTypeDml || aws.ToString(qe.SubstatementType) != "SELECT" {
				t.Errorf("statement type = %s/%s, want DML/SELECT", qe.StatementType, aws.ToString(qe.SubstatementType))
			}
			if aws.ToInt64(qe.Statistics.DataScannedInBytes) == 0 {
				t.Error("DataScannedInBytes = 0 for a SELECT with rows")
			}
			if qe.Status.CompletionDateTime == nil || !qe.Status.CompletionDateTime.After(*qe.Status.SubmissionDateTime) {
				t.Errorf("completion %v not after submission %v", qe.Status.CompletionDateTime, qe.Status.SubmissionDateTime)
			}
		}
	}
	want := []athenatypes.QueryExecutionState{"QUEUED", "RUNNING", "SUCCEEDED"}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Fatalf("states = %v, want %v", states, want)
	}

	res, err := c.athena.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.ResultSet.Rows {
		var vals []string
		for _, d := range r.Data {
			if d.VarCharValue == nil {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, *d.VarCharValue)
			}
		}
		got = append(got, strings.Join(vals, "|"))
	}
	if want := "n|s,1|a,2|NULL"; strings.Join(got, ",") != want {
		t.Errorf("rows = %v, want %s (the header first, as Athena answers)", got, want)
	}
	info := res.ResultSet.ResultSetMetadata.ColumnInfo
	if len(info) != 2 || aws.ToString(info[0].Type) != "integer" || aws.ToString(info[1].Type) != "varchar" {
		t.Errorf("column info = %+v", info)
	}
	csv, ok := c.fake.Object(staging + id + ".csv")
	if !ok || string(csv) != "\"n\",\"s\"\n\"1\",\"a\"\n\"2\",\n" {
		t.Errorf("result object = %q, %v", csv, ok)
	}
}

func TestQueryResultsPagination(t *testing.T) {
	c := newClients(t)
	c.fake.OnSelect(func(string) (*awsfake.Result, error) {
		r := &awsfake.Result{Columns: []awsfake.Col{{Name: "i", Type: "integer"}}}
		for i := range 2500 {
			r.Rows = append(r.Rows, awsfake.Row(i))
		}
		return r, nil
	})
	id := c.start(t, "default", "select i from unnest(sequence(0, 2499)) as t(i)")
	p := athena.NewGetQueryResultsPaginator(c.athena, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(1000)})
	var rows, pages int
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		rows += len(out.ResultSet.Rows)
	}
	if rows != 2501 || pages != 3 {
		t.Errorf("got %d rows in %d pages, want 2501 (header + 2500) in 3", rows, pages)
	}
	_, err := c.athena.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), NextToken: aws.String("bogus")})
	var ire *athenatypes.InvalidRequestException
	if !errors.As(err, &ire) {
		t.Errorf("bad NextToken: err = %v, want InvalidRequestException", err)
	}
}

func TestQueryErrors(t *testing.T) {
	c := newClients(t)
	ctx := context.Background()
	var ire *athenatypes.InvalidRequestException

	_, err := c.athena.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String("nope")})
	if !errors.As(err, &ire) || !strings.Contains(err.Error(), "nope was not found") {
		t.Errorf("unknown query: %v, want InvalidRequestException", err)
	}
	_, err = c.athena.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("select 1")})
	if !errors.As(err, &ire) || !strings.Contains(err.Error(), "No output location provided") {
		t.Errorf("no output location: %v, want InvalidRequestException", err)
	}
	_, err = c.athena.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("select 1"), WorkGroup: aws.String("nope")})
	if !errors.As(err, &ire) || !strings.Contains(err.Error(), "WorkGroup nope is not found") {
		t.Errorf("unknown workgroup: %v, want InvalidRequestException", err)
	}

	// No OnSelect: a SELECT fails, naming the fake and the SQL.
	reason := c.fail(t, "default", "select 42")
	if !strings.Contains(reason, "awsfake: no result scripted for: select 42") {
		t.Errorf("unscripted select: reason %q", reason)
	}
	id := c.start(t, "default", "select 43")
	c.wait(t, id)
	_, err = c.athena.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
	if !errors.As(err, &ire) || !strings.Contains(err.Error(), "Final query state: FAILED") {
		t.Errorf("results of a failed query: %v", err)
	}

	// An unsupported operation answers a clear error.
	_, err = c.athena.ListDataCatalogs(ctx, &athena.ListDataCatalogsInput{})
	if err == nil || !strings.Contains(err.Error(), "awsfake: unsupported athena ListDataCatalogs") {
		t.Errorf("unsupported op: %v", err)
	}
}

func TestFailQuery(t *testing.T) {
	c := newClients(t)
	c.fake.FailQuery(func(sql string) bool { return strings.Contains(sql, "boom") },
		"HIVE_BAD_DATA: Error parsing field value 'x' for field 1").Times(1).Retryable()
	c.run(t, "default", "create schema s")
	qe := c.wait(t, c.start(t, "s", "create table boom with (external_location='s3://data/boom/') as select 1 as a"))
	if qe.Status.State != athenatypes.QueryExecutionStateFailed ||
		aws.ToString(qe.Status.StateChangeReason) != "HIVE_BAD_DATA: Error parsing field value 'x' for field 1" {
		t.Fatalf("status = %+v", qe.Status)
	}
	if e := qe.Status.AthenaError; e == nil || !e.Retryable || aws.ToString(e.ErrorMessage) == "" {
		t.Errorf("AthenaError = %+v, want a retryable error with a message", e)
	}
	if c.fake.Table("s", "boom") != nil || len(c.fake.S3Objects("s3://data/")) != 0 {
		t.Error("a FAILED query had effects")
	}
	// Times(1): the retry succeeds.
	c.run(t, "s", "create table boom with (external_location='s3://data/boom/') as select 1 as a")
	if c.fake.Table("s", "boom") == nil {
		t.Error("the retried CTAS created no table")
	}
	// Match functions may look at the fake's state.
	c.fake.FailQuery(func(sql string) bool { return c.fake.Table("s", "boom") != nil && strings.Contains(sql, "after_boom") }, "DEPENDENT")
	c.fake.Hold(func(sql string) bool {
		return len(c.fake.S3Objects("s3://data/boom/")) > 0 && strings.Contains(sql, "held_after_boom")
	})
	if reason := c.fail(t, "s", "create schema after_boom"); reason != "DEPENDENT" {
		t.Errorf("reason = %q", reason)
	}
	id := c.start(t, "s", "create schema held_after_boom")
	if _, err := c.athena.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.fake.QueryState(id); st != athenatypes.QueryExecutionStateRunning {
		t.Errorf("held query is %s", st)
	}
}

func TestHoldAndStop(t *testing.T) {
	c := newClients(t)
	ctx := context.Background()
	c.fake.Hold(func(sql string) bool { return strings.Contains(sql, "slow") })
	c.run(t, "default", "create schema s")
	id := c.start(t, "s", "create table slow as select 1 as a")
	for range 5 {
		out, err := c.athena.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if s := out.QueryExecution.Status.State; s != athenatypes.QueryExecutionStateRunning {
			t.Fatalf("held query is %s", s)
		}
	}
	if st, ok := c.fake.QueryState(id); !ok || st != athenatypes.QueryExecutionStateRunning {
		t.Errorf("QueryState = %s, %v; want RUNNING", st, ok)
	}
	if _, err := c.athena.StopQueryExecution(ctx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	qe := c.wait(t, id)
	if qe.Status.State != athenatypes.QueryExecutionStateCancelled {
		t.Errorf("state after stop = %s, want CANCELLED", qe.Status.State)
	}
	if c.fake.Table("s", "slow") != nil {
		t.Error("a cancelled CTAS created its table")
	}
	if n := len(c.fake.CallsOf("athena", "StopQueryExecution")); n != 1 {
		t.Errorf("%d StopQueryExecution calls recorded, want 1", n)
	}
	// Stopping a finished query changes nothing, as in Athena.
	done := c.run(t, "s", "create schema if not exists s")
	if _, err := c.athena.StopQueryExecution(ctx, &athena.StopQueryExecutionInput{QueryExecutionId: done.QueryExecutionId}); err != nil {
		t.Fatal(err)
	}
	if qe := c.wait(t, aws.ToString(done.QueryExecutionId)); qe.Status.State != athenatypes.QueryExecutionStateSucceeded {
		t.Errorf("stopping a finished query made it %s", qe.Status.State)
	}
}

func TestWorkGroups(t *testing.T) {
	c := newClients(t)
	ctx := context.Background()
	c.fake.CreateWorkGroup("analytics", "s3://wg-results/out/", true)
	out, err := c.athena.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String("analytics")})
	if err != nil {
		t.Fatal(err)
	}
	wg := out.WorkGroup
	if wg.State != athenatypes.WorkGroupStateEnabled || aws.ToString(wg.Configuration.ResultConfiguration.OutputLocation) != "s3://wg-results/out/" {
		t.Errorf("workgroup = %+v", wg)
	}
	// An enforced workgroup location wins over the client's.
	start, err := c.athena.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
		QueryString: aws.String("create schema x"), WorkGroup: aws.String("analytics"),
		ResultConfiguration: &athenatypes.ResultConfiguration{OutputLocation: aws.String(staging)},
	})
	if err != nil {
		t.Fatal(err)
	}
	qe := c.wait(t, aws.ToString(start.QueryExecutionId))
	if loc := aws.ToString(qe.ResultConfiguration.OutputLocation); !strings.HasPrefix(loc, "s3://wg-results/out/") || !strings.HasSuffix(loc, ".txt") {
		t.Errorf("OutputLocation = %s, want the workgroup's, .txt for DDL", loc)
	}
	_, err = c.athena.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String("nope")})
	var ire *athenatypes.InvalidRequestException
	if !errors.As(err, &ire) {
		t.Errorf("unknown workgroup: %v", err)
	}
}

func TestIdempotentStart(t *testing.T) {
	c := newClients(t)
	in := &athena.StartQueryExecutionInput{
		QueryString:         aws.String("create schema s"),
		ClientRequestToken:  aws.String("token-0123456789012345678901234567"),
		ResultConfiguration: &athenatypes.ResultConfiguration{OutputLocation: aws.String(staging)},
	}
	a, err := c.athena.StartQueryExecution(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.athena.StartQueryExecution(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(a.QueryExecutionId) != aws.ToString(b.QueryExecutionId) {
		t.Errorf("same ClientRequestToken gave two queries: %s, %s", aws.ToString(a.QueryExecutionId), aws.ToString(b.QueryExecutionId))
	}
}

func TestExecutionParameters(t *testing.T) {
	c := newClients(t)
	out, err := c.athena.StartQueryExecution(context.Background(), &athena.StartQueryExecutionInput{
		QueryString:         aws.String("create schema ?"),
		ExecutionParameters: []string{"from_param"},
		ResultConfiguration: &athenatypes.ResultConfiguration{OutputLocation: aws.String(staging)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if qe := c.wait(t, aws.ToString(out.QueryExecutionId)); qe.Status.State != athenatypes.QueryExecutionStateSucceeded {
		t.Fatalf("%s: %s", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	if _, err := c.glue.GetDatabase(context.Background(), &glue.GetDatabaseInput{Name: aws.String("from_param")}); err != nil {
		t.Errorf("the bound parameter did not name the schema: %v", err)
	}
}
