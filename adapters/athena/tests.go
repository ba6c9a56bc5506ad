package athena

import (
	"context"
	"fmt"
	"strings"

	"github.com/gmodel/gmodel/adapters"
)

var _ adapters.TestBatcher = (*Adapter)(nil)

// maxBatchSQL keeps a batch well under Athena's 256 KB query length.
const maxBatchSQL = 200_000

// QueryTests runs test queries (one row each) as UNION ALL statements,
// one per batch of maxBatchSQL bytes: Athena bills each query at least
// 10 MB scanned and each query takes seconds to start, so n tests of a
// small relation cost one query instead of n.
func (a *Adapter) QueryTests(ctx context.Context, queries []string) ([]*adapters.Rows, error) {
	out := make([]*adapters.Rows, len(queries))
	for start := 0; start < len(queries); {
		end, size := start, 0
		for end < len(queries) && (end == start || size+len(queries[end]) < maxBatchSQL) {
			size += len(queries[end]) + 100
			end++
		}
		if err := a.queryBatch(ctx, queries[start:end], out[start:end]); err != nil {
			return nil, err
		}
		start = end
	}
	return out, nil
}

func (a *Adapter) queryBatch(ctx context.Context, queries []string, out []*adapters.Rows) error {
	if len(queries) == 1 {
		rows, err := a.Query(ctx, queries[0])
		out[0] = rows
		return err
	}
	rows, err := a.Query(ctx, unionTestsSQL(queries))
	if err != nil {
		return err
	}
	if len(rows.Columns) != 4 {
		return fmt.Errorf("athena: the batched test query returned %d columns, want 4", len(rows.Columns))
	}
	for i := range out {
		out[i] = &adapters.Rows{Columns: rows.Columns[1:]}
	}
	for _, v := range rows.Values {
		i, ok := v[0].(int64)
		if !ok || i < 0 || int(i) >= len(out) {
			return fmt.Errorf("athena: the batched test query returned test number %v", v[0])
		}
		out[i].Values = append(out[i].Values, v[1:])
	}
	return nil
}

// unionTestsSQL is one statement for several test queries, each row
// tagged with its query's number.
func unionTestsSQL(queries []string) string {
	parts := make([]string, len(queries))
	for i, q := range queries {
		parts[i] = fmt.Sprintf("select %d as gmodel_test, failures, should_warn, should_error from (%s\n) as gmodel_test_%d", i, modelBody(q), i)
	}
	return strings.Join(parts, "\nunion all\n")
}
