package athena

import (
	"context"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/gmodel/gmodel/adapters"
)

var _ adapters.Cataloger = (*Adapter)(nil)

// Catalog describes relations from Glue: one GetTables listing per
// schema, no query (no scan billed). Columns come with their Glue types
// and comments, partition keys last; statistics are the table
// parameters Glue crawlers and Athena's ANALYZE leave (numRows,
// totalSize), when present.
func (a *Adapter) Catalog(ctx context.Context, database, schema string, names []string) ([]adapters.CatalogTable, error) {
	if err := a.checkCatalog(database); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[strings.ToLower(n)] = true
	}
	tables, err := a.getTables(ctx, schema)
	if err != nil {
		return nil, err
	}
	var out []adapters.CatalogTable
	for i := range tables {
		t := &tables[i]
		if !want[aws.ToString(t.Name)] {
			continue
		}
		out = append(out, catalogTable(t))
	}
	return out, nil
}

func catalogTable(t *gluetypes.Table) adapters.CatalogTable {
	ct := adapters.CatalogTable{Name: aws.ToString(t.Name), Type: "BASE TABLE", Comment: aws.ToString(t.Description), Owner: aws.ToString(t.Owner)}
	if isView(t) {
		ct.Type = "VIEW"
	}
	add := func(cols []gluetypes.Column) {
		for _, c := range cols {
			ct.Columns = append(ct.Columns, adapters.CatalogColumn{Name: aws.ToString(c.Name), Type: aws.ToString(c.Type), Comment: aws.ToString(c.Comment)})
		}
	}
	if t.StorageDescriptor != nil {
		add(t.StorageDescriptor.Columns)
	}
	add(t.PartitionKeys)
	stat := func(keys ...string) *int64 {
		for _, k := range keys {
			if n, err := strconv.ParseInt(t.Parameters[k], 10, 64); err == nil && n >= 0 {
				return &n
			}
		}
		return nil
	}
	ct.Rows = stat("numRows", "recordCount")
	ct.Bytes = stat("totalSize", "rawDataSize")
	if ct.Rows != nil || ct.Bytes != nil {
		ct.StatsFrom = "the Glue table's parameters (numRows, totalSize), as a crawler or ANALYZE left them"
	}
	return ct
}
