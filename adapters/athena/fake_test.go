package athena

import (
	"context"
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
