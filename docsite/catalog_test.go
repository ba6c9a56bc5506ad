package docsite

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/adapters"
)

// fakeAdapter answers Query with fixed rows and records the statements.
type fakeAdapter struct {
	adapters.Adapter
	rows    *adapters.Rows
	queries []string
}

func (f *fakeAdapter) Query(_ context.Context, sql string) (*adapters.Rows, error) {
	f.queries = append(f.queries, sql)
	return f.rows, nil
}

var catalogColumns = []string{"table_schema", "table_name", "table_type", "table_comment", "table_owner",
	"column_name", "column_index", "column_type", "column_comment", "row_estimate", "total_bytes"}

func TestCatalogLayout(t *testing.T) {
	ad := &fakeAdapter{rows: &adapters.Rows{Columns: catalogColumns, Values: [][]any{
		{"s", "orders", "BASE TABLE", "All orders", "alice", "order_id", int64(1), "integer", "the key", float64(99), int64(16384)},
		{"s", "orders", "BASE TABLE", "All orders", "alice", "status", int64(2), "text", nil, float64(99), int64(16384)},
		{"s", "stg", "VIEW", nil, "alice", "id", int64(1), "bigint", nil, nil, nil},
		{"s", "raw", "BASE TABLE", nil, "alice", "id", int64(1), "integer", nil, float64(-1), int64(8192)},
	}}}
	rels := []Relation{
		{UniqueID: "model.p.orders", Database: "db", Schema: "s", Name: "orders"},
		{UniqueID: "model.p.stg", Database: "db", Schema: "s", Name: "stg"},
		{UniqueID: "source.p.raw.raw", Database: "db", Schema: "s", Name: "raw", Source: true},
		{UniqueID: "model.p.missing", Database: "db", Schema: "s", Name: "missing"},
	}
	c := New("1.8.0", "2026-01-01T00:00:00.000000Z", "inv")
	if err := c.Fill(context.Background(), ad, rels); err != nil {
		t.Fatal(err)
	}
	if len(ad.queries) != 1 || !strings.Contains(ad.queries[0], "sch.nspname = 's'") ||
		!strings.Contains(ad.queries[0], "'missing', 'orders', 'raw', 'stg'") {
		t.Errorf("queries = %q", ad.queries)
	}
	var buf bytes.Buffer
	if err := c.Write(&buf); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := `{
  "errors": null,
  "metadata": {
    "dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json",
    "dbt_version": "1.8.0",
    "env": {},
    "generated_at": "2026-01-01T00:00:00.000000Z",
    "invocation_id": "inv"
  },
  "nodes": {
    "model.p.orders": {
      "columns": {
        "order_id": {"comment": "the key", "index": 1, "name": "order_id", "type": "integer"},
        "status": {"comment": null, "index": 2, "name": "status", "type": "text"}
      },
      "metadata": {"comment": "All orders", "database": "db", "name": "orders", "owner": "alice", "schema": "s", "type": "BASE TABLE"},
      "stats": {
        "has_stats": {"description": "Indicates whether there are statistics for this table", "id": "has_stats", "include": false, "label": "Has Stats?", "value": true},
        "num_bytes": {"description": "Total size of this table on disk in bytes, with its indexes and TOAST data (pg_total_relation_size)", "id": "num_bytes", "include": true, "label": "Approximate Size", "value": 16384},
        "num_rows": {"description": "Approximate count of rows in this table (pg_class.reltuples, as of its last ANALYZE)", "id": "num_rows", "include": true, "label": "# Rows", "value": 99}
      },
      "unique_id": "model.p.orders"
    },
    "model.p.stg": {
      "columns": {"id": {"comment": null, "index": 1, "name": "id", "type": "bigint"}},
      "metadata": {"comment": null, "database": "db", "name": "stg", "owner": "alice", "schema": "s", "type": "VIEW"},
      "stats": {"has_stats": {"description": "Indicates whether there are statistics for this table", "id": "has_stats", "include": false, "label": "Has Stats?", "value": false}},
      "unique_id": "model.p.stg"
    }
  },
  "sources": {
    "source.p.raw.raw": {
      "columns": {"id": {"comment": null, "index": 1, "name": "id", "type": "integer"}},
      "metadata": {"comment": null, "database": "db", "name": "raw", "owner": "alice", "schema": "s", "type": "BASE TABLE"},
      "stats": {
        "has_stats": {"description": "Indicates whether there are statistics for this table", "id": "has_stats", "include": false, "label": "Has Stats?", "value": true},
        "num_bytes": {"description": "Total size of this table on disk in bytes, with its indexes and TOAST data (pg_total_relation_size)", "id": "num_bytes", "include": true, "label": "Approximate Size", "value": 8192}
      },
      "unique_id": "source.p.raw.raw"
    }
  }
}`
	var w map[string]any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("catalog:\n%s\nwant:\n%s", gb, wb)
	}
	// Deterministic: the same catalog encodes to the same bytes.
	var again bytes.Buffer
	_ = c.Write(&again)
	if again.String() != buf.String() {
		t.Error("two encodings differ")
	}
}

func TestCatalogSQLQuotes(t *testing.T) {
	sql := PostgresCatalogSQL("o'brien", []string{"a'b"})
	if !strings.Contains(sql, "'o''brien'") || !strings.Contains(sql, "'a''b'") {
		t.Errorf("literals not escaped:\n%s", sql)
	}
}
