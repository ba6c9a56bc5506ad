package tests

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestDocsGenerateCatalog builds jaffle_shop in a fresh database, then
// reads its catalog: the 5 models and 3 seeds with columns, types and
// (for tables) row counts and sizes.
func TestDocsGenerateCatalog(t *testing.T) {
	e := newPGEnv(t, "testdata/jaffle_shop", "jaffle_shop", nil)
	if r := e.gmodel(t, "build"); r.code != 0 {
		t.Fatalf("build: exit %d\n%s", r.code, r.stderr)
	}
	// Row estimates come from the last ANALYZE, which a fresh table lacks.
	analyze(t, e)

	r := e.gmodel(t, "docs", "generate")
	if r.code != 0 {
		t.Fatalf("docs generate: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "Catalog of 8 of 8 relations") {
		t.Errorf("docs generate output:\n%s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "target", "manifest.json")); err != nil {
		t.Errorf("no manifest: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(e.dir, "target", "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cat struct {
		Metadata map[string]any `json:"metadata"`
		Nodes    map[string]struct {
			Metadata map[string]any `json:"metadata"`
			Columns  map[string]struct {
				Type  string `json:"type"`
				Index int    `json:"index"`
				Name  string `json:"name"`
			} `json:"columns"`
			Stats map[string]struct {
				ID      string `json:"id"`
				Value   any    `json:"value"`
				Include bool   `json:"include"`
			} `json:"stats"`
			UniqueID string `json:"unique_id"`
		} `json:"nodes"`
		Sources map[string]any `json:"sources"`
		Errors  any            `json:"errors"`
	}
	if err := json.Unmarshal(raw, &cat); err != nil {
		t.Fatal(err)
	}
	if cat.Metadata["dbt_schema_version"] != "https://schemas.getdbt.com/dbt/catalog/v1.json" {
		t.Errorf("metadata = %v", cat.Metadata)
	}
	var ids []string
	for id := range cat.Nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	want := "model.jaffle_shop.customers,model.jaffle_shop.orders,model.jaffle_shop.stg_customers,model.jaffle_shop.stg_orders,model.jaffle_shop.stg_payments,seed.jaffle_shop.raw_customers,seed.jaffle_shop.raw_orders,seed.jaffle_shop.raw_payments"
	if strings.Join(ids, ",") != want {
		t.Fatalf("catalog nodes = %v", ids)
	}
	if len(cat.Sources) != 0 || cat.Errors != nil {
		t.Errorf("sources = %v, errors = %v", cat.Sources, cat.Errors)
	}
	cust := cat.Nodes["model.jaffle_shop.customers"]
	if c := cust.Columns["customer_id"]; c.Type != "integer" || c.Index != 1 || c.Name != "customer_id" {
		t.Errorf("customers.customer_id = %+v", c)
	}
	if len(cust.Columns) != 7 {
		t.Errorf("customers has %d columns: %v", len(cust.Columns), cust.Columns)
	}
	if cust.Metadata["type"] != "BASE TABLE" || cust.Metadata["schema"] != "dbt_test" || cust.Metadata["name"] != "customers" ||
		cust.Metadata["database"] != e.db.Database || cust.Metadata["owner"] != e.db.User {
		t.Errorf("customers metadata = %v", cust.Metadata)
	}
	if s := cust.Stats["num_rows"]; s.Value != float64(100) || !s.Include {
		t.Errorf("customers num_rows = %+v", s)
	}
	if s := cust.Stats["num_bytes"]; s.Value == nil || s.Value.(float64) <= 0 {
		t.Errorf("customers num_bytes = %+v", s)
	}
	if s := cust.Stats["has_stats"]; s.Value != true || s.Include {
		t.Errorf("customers has_stats = %+v", s)
	}
	if s := cat.Nodes["seed.jaffle_shop.raw_orders"].Stats["num_rows"]; s.Value != float64(99) {
		t.Errorf("raw_orders num_rows = %+v", s)
	}
	so := cat.Nodes["model.jaffle_shop.stg_orders"]
	if so.Metadata["type"] != "VIEW" {
		t.Errorf("stg_orders metadata = %v", so.Metadata)
	}
	if s := so.Stats["has_stats"]; s.Value != false || len(so.Stats) != 1 {
		t.Errorf("stg_orders stats = %+v", so.Stats)
	}
	if c := so.Columns["order_date"]; c.Type != "date" || c.Index != 3 {
		t.Errorf("stg_orders.order_date = %+v", c)
	}

	// --no-compile reads the same catalog.
	r = e.gmodel(t, "docs", "generate", "--no-compile")
	if r.code != 0 {
		t.Fatalf("docs generate --no-compile: exit %d\n%s", r.code, r.stderr)
	}
	raw2, err := os.ReadFile(filepath.Join(e.dir, "target", "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cat2 struct {
		Nodes map[string]any `json:"nodes"`
	}
	if err := json.Unmarshal(raw2, &cat2); err != nil || len(cat2.Nodes) != 8 {
		t.Errorf("--no-compile catalog: %d nodes, %v", len(cat2.Nodes), err)
	}

	// --static writes the app and its data into one page.
	if r := e.gmodel(t, "docs", "generate", "--static"); r.code != 0 || !strings.Contains(r.stderr, "Static docs written to target/static_index.html") {
		t.Errorf("--static: exit %d\n%s", r.code, r.stderr)
	}
	page, err := os.ReadFile(filepath.Join(e.dir, "target", "static_index.html"))
	if err != nil || !strings.Contains(string(page), `<script id="gmodel-data" type="application/json">`) ||
		strings.Contains(string(page), `src="/assets/`) {
		t.Errorf("static_index.html: %v", err)
	}
}

// analyze runs ANALYZE on the environment's database.
func analyze(t *testing.T, e *pgEnv) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "analyze"); err != nil {
		t.Fatal(err)
	}
}
