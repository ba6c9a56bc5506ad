package docsite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/compiler"
)

// SchemaVersion is the catalog layout gmodel writes.
const SchemaVersion = "https://schemas.getdbt.com/dbt/catalog/v1.json"

// Catalog is catalog.json. Field order is alphabetical, as are map keys
// when encoded, so the output is deterministic.
type Catalog struct {
	Errors   []string          `json:"errors"`
	Metadata Metadata          `json:"metadata"`
	Nodes    map[string]*Table `json:"nodes"`
	Sources  map[string]*Table `json:"sources"`
}

// Metadata is the catalog's header.
type Metadata struct {
	DbtSchemaVersion string            `json:"dbt_schema_version"`
	DbtVersion       string            `json:"dbt_version"`
	Env              map[string]string `json:"env"`
	GeneratedAt      string            `json:"generated_at"`
	InvocationID     string            `json:"invocation_id"`
}

// Table is one relation of the catalog.
type Table struct {
	Columns  map[string]*Column `json:"columns"`
	Metadata TableMetadata      `json:"metadata"`
	Stats    map[string]*Stat   `json:"stats"`
	UniqueID string             `json:"unique_id"`
}

// TableMetadata describes a relation; Type is "BASE TABLE", "VIEW" or
// "MATERIALIZED VIEW", as dbt-postgres reports it.
type TableMetadata struct {
	Comment  *string `json:"comment"`
	Database *string `json:"database"`
	Name     string  `json:"name"`
	Owner    *string `json:"owner"`
	Schema   string  `json:"schema"`
	Type     string  `json:"type"`
}

// Column is one column of a relation; Index counts from 1.
type Column struct {
	Comment *string `json:"comment"`
	Index   int64   `json:"index"`
	Name    string  `json:"name"`
	Type    string  `json:"type"`
}

// Stat is one statistic of a relation, as dbt's catalog carries them.
type Stat struct {
	Description *string `json:"description"`
	ID          string  `json:"id"`
	Include     bool    `json:"include"`
	Label       string  `json:"label"`
	Value       any     `json:"value"`
}

// Relation is a relation of the manifest the catalog describes.
type Relation struct {
	UniqueID string
	Database string
	Schema   string
	Name     string
	Source   bool // a source, listed under "sources"
}

// Relations lists the manifest's models (not ephemeral), seeds, snapshots
// and sources, sorted by unique id.
func Relations(m *compiler.Manifest) []Relation {
	var out []Relation
	for _, n := range m.Nodes {
		if !n.IsRelational() {
			continue
		}
		name := n.Alias
		if name == "" {
			name = n.Name
		}
		out = append(out, Relation{UniqueID: n.UniqueID, Database: n.Database, Schema: n.Schema, Name: name})
	}
	for _, s := range m.Sources {
		name := s.Identifier
		if name == "" {
			name = s.Name
		}
		out = append(out, Relation{UniqueID: s.UniqueID, Database: s.Database, Schema: s.Schema, Name: name, Source: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UniqueID < out[j].UniqueID })
	return out
}

// New returns an empty catalog with its header.
func New(dbtVersion, generatedAt, invocationID string) *Catalog {
	return &Catalog{
		Metadata: Metadata{
			DbtSchemaVersion: SchemaVersion,
			DbtVersion:       dbtVersion,
			Env:              map[string]string{},
			GeneratedAt:      generatedAt,
			InvocationID:     invocationID,
		},
		Nodes:   map[string]*Table{},
		Sources: map[string]*Table{},
	}
}

// Write writes the catalog as indented JSON.
func (c *Catalog) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(c)
}

// Add records t under its relation's unique id.
func (c *Catalog) Add(r Relation, t *Table) {
	t.UniqueID = r.UniqueID
	if r.Source {
		c.Sources[r.UniqueID] = t
	} else {
		c.Nodes[r.UniqueID] = t
	}
}

type schemaKey struct{ database, schema string }

// Fill queries the warehouse for every relation and adds those that exist
// to the catalog: one statement per schema. Relations that do not exist
// (not built yet) are left out, as dbt does.
func (c *Catalog) Fill(ctx context.Context, ad adapters.Adapter, rels []Relation) error {
	groups := map[schemaKey][]Relation{}
	var keys []schemaKey
	for _, r := range rels {
		k := schemaKey{r.Database, r.Schema}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].database != keys[j].database {
			return keys[i].database < keys[j].database
		}
		return keys[i].schema < keys[j].schema
	})
	for _, k := range keys {
		names := make([]string, 0, len(groups[k]))
		for _, r := range groups[k] {
			names = append(names, r.Name)
		}
		tables, err := schemaTables(ctx, ad, k.database, k.schema, names)
		if err != nil {
			return fmt.Errorf("reading the catalog of schema %s: %w", k.schema, err)
		}
		for _, r := range groups[k] {
			t := tables[r.Name]
			if t == nil {
				t = tables[strings.ToLower(r.Name)]
			}
			if t == nil {
				continue
			}
			// Each relation gets its own copy: two nodes may name one relation.
			cp := *t
			if r.Database != "" {
				db := r.Database
				cp.Metadata.Database = &db
			}
			c.Add(r, &cp)
		}
	}
	return nil
}

// PostgresCatalogSQL is the catalog query for the named relations of one
// schema, after dbt-postgres's postgres__get_catalog_relations: one row per
// column, with the relation's type, comment and owner, plus its estimated
// row count (pg_class.reltuples, -1 when never analyzed) and total size
// (pg_total_relation_size) for tables.
func PostgresCatalogSQL(schema string, names []string) string {
	lits := make([]string, len(names))
	for i, n := range names {
		lits[i] = literal(n)
	}
	sort.Strings(lits)
	if len(lits) == 0 {
		lits = []string{"NULL"}
	}
	return `select
    sch.nspname::text as table_schema,
    tbl.relname::text as table_name,
    case tbl.relkind
        when 'v' then 'VIEW'
        when 'm' then 'MATERIALIZED VIEW'
        else 'BASE TABLE'
    end as table_type,
    tbl_desc.description::text as table_comment,
    pg_catalog.pg_get_userbyid(tbl.relowner)::text as table_owner,
    col.attname::text as column_name,
    col.attnum::bigint as column_index,
    pg_catalog.format_type(col.atttypid, col.atttypmod)::text as column_type,
    col_desc.description::text as column_comment,
    case when tbl.relkind in ('r', 'p', 'm') then tbl.reltuples::float8 end as row_estimate,
    case when tbl.relkind in ('r', 'p', 'm') then pg_catalog.pg_total_relation_size(tbl.oid)::bigint end as total_bytes
from pg_catalog.pg_namespace sch
join pg_catalog.pg_class tbl on tbl.relnamespace = sch.oid
join pg_catalog.pg_attribute col on col.attrelid = tbl.oid
left outer join pg_catalog.pg_description tbl_desc
    on tbl_desc.objoid = tbl.oid and tbl_desc.objsubid = 0 and tbl_desc.classoid = 'pg_catalog.pg_class'::regclass
left outer join pg_catalog.pg_description col_desc
    on col_desc.objoid = tbl.oid and col_desc.objsubid = col.attnum and col_desc.classoid = 'pg_catalog.pg_class'::regclass
where sch.nspname = ` + literal(schema) + `
  and tbl.relname in (` + strings.Join(lits, ", ") + `)
  and not pg_catalog.pg_is_other_temp_schema(sch.oid)
  and tbl.relpersistence in ('p', 'u')
  and tbl.relkind in ('r', 'v', 'f', 'p', 'm')
  and col.attnum > 0
  and not col.attisdropped
order by tbl.relname, col.attnum`
}

// literal quotes s as a SQL string literal (standard_conforming_strings).
func literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// ParsePostgresRows turns the rows of PostgresCatalogSQL into tables by
// name (without unique ids or database).
func ParsePostgresRows(rows *adapters.Rows) (map[string]*Table, error) {
	idx := map[string]int{}
	for i, c := range rows.Columns {
		idx[c] = i
	}
	for _, c := range []string{"table_schema", "table_name", "table_type", "table_comment", "table_owner",
		"column_name", "column_index", "column_type", "column_comment", "row_estimate", "total_bytes"} {
		if _, ok := idx[c]; !ok {
			return nil, fmt.Errorf("catalog query returned no column %q", c)
		}
	}
	out := map[string]*Table{}
	for _, v := range rows.Values {
		get := func(c string) any { return v[idx[c]] }
		name := str(get("table_name"))
		t := out[name]
		if t == nil {
			t = &Table{
				Columns: map[string]*Column{},
				Metadata: TableMetadata{
					Comment: strPtr(get("table_comment")),
					Name:    name,
					Owner:   strPtr(get("table_owner")),
					Schema:  str(get("table_schema")),
					Type:    str(get("table_type")),
				},
			}
			rowsEst, hasRows := num(get("row_estimate"))
			bytes, hasBytes := num(get("total_bytes"))
			t.Stats = tableStats(rowsEst, hasRows && rowsEst >= 0, bytes, hasBytes)
			out[name] = t
		}
		idxv, _ := num(get("column_index"))
		col := &Column{
			Comment: strPtr(get("column_comment")),
			Index:   int64(idxv),
			Name:    str(get("column_name")),
			Type:    str(get("column_type")),
		}
		t.Columns[col.Name] = col
	}
	return out, nil
}

// tableStats builds dbt's stats mapping: has_stats always, num_rows when
// the table has been analyzed, num_bytes for tables (the ids and labels
// dbt-bigquery uses).
func tableStats(rows float64, hasRows bool, bytes float64, hasBytes bool) map[string]*Stat {
	stats := map[string]*Stat{}
	if hasRows {
		stats["num_rows"] = &Stat{
			ID: "num_rows", Label: "# Rows", Value: int64(math.Round(rows)), Include: true,
			Description: ptr("Approximate count of rows in this table (pg_class.reltuples, as of its last ANALYZE)"),
		}
	}
	if hasBytes {
		stats["num_bytes"] = &Stat{
			ID: "num_bytes", Label: "Approximate Size", Value: int64(bytes), Include: true,
			Description: ptr("Total size of this table on disk in bytes, with its indexes and TOAST data (pg_total_relation_size)"),
		}
	}
	stats["has_stats"] = &Stat{
		ID: "has_stats", Label: "Has Stats?", Value: len(stats) > 0, Include: false,
		Description: ptr("Indicates whether there are statistics for this table"),
	}
	return stats
}

func ptr(s string) *string { return &s }

func str(v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	case []byte:
		return string(s)
	}
	return fmt.Sprint(v)
}

func strPtr(v any) *string {
	if v == nil {
		return nil
	}
	s := str(v)
	return &s
}

func num(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}
