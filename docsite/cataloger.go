package docsite

import (
	"context"

	"github.com/gmodel/gmodel/adapters"
)

// schemaTables describes the named relations of one schema: from the
// adapter's own catalog when it has one (adapters.Cataloger: Athena's
// Glue), else with the PostgreSQL catalog query.
func schemaTables(ctx context.Context, ad adapters.Adapter, database, schema string, names []string) (map[string]*Table, error) {
	cat, ok := ad.(adapters.Cataloger)
	if !ok {
		rows, err := ad.Query(ctx, PostgresCatalogSQL(schema, names))
		if err != nil {
			return nil, err
		}
		return ParsePostgresRows(rows)
	}
	list, err := cat.Catalog(ctx, database, schema, names)
	if err != nil {
		return nil, err
	}
	out := map[string]*Table{}
	for _, ct := range list {
		t := &Table{
			Columns: map[string]*Column{},
			Metadata: TableMetadata{
				Comment: optional(ct.Comment),
				Name:    ct.Name,
				Owner:   optional(ct.Owner),
				Schema:  schema,
				Type:    ct.Type,
			},
		}
		for i, c := range ct.Columns {
			t.Columns[c.Name] = &Column{Comment: optional(c.Comment), Index: int64(i + 1), Name: c.Name, Type: c.Type}
		}
		var rows, bytes float64
		if ct.Rows != nil {
			rows = float64(*ct.Rows)
		}
		if ct.Bytes != nil {
			bytes = float64(*ct.Bytes)
		}
		t.Stats = tableStats(rows, ct.Rows != nil, bytes, ct.Bytes != nil)
		if ct.StatsFrom != "" {
			for _, id := range []string{"num_rows", "num_bytes"} {
				if st := t.Stats[id]; st != nil {
					st.Description = ptr(st.Label + " from " + ct.StatsFrom)
				}
			}
		}
		out[ct.Name] = t
	}
	return out, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
