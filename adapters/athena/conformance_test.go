package athena

import (
	"strings"
	"testing"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/adapters/adaptertest"
	"github.com/gmodel/gmodel/internal/awsfake"
)

// The conformance suite against the fake. What cannot apply, and why, is
// said here; adaptertest documents which cases need what.
func TestConformance(t *testing.T) {
	adaptertest.RunWith(t, adaptertest.Options{Lacks: map[adaptertest.Capability]string{
		adaptertest.Engine:       "the test runs against internal/awsfake, which has no SQL engine (adapters/athena's own tests script results)",
		adaptertest.Transactions: "Athena has no transactions; builds are atomic by swapping through Glue",
		adaptertest.PlainDDL:     "Athena creates Hive tables with CREATE EXTERNAL TABLE ... LOCATION or CREATE TABLE AS only",
		adaptertest.AnyNames:     "Athena names allow letters, digits and underscores only",
		adaptertest.RowChanges:   "Athena updates and deletes rows of Iceberg tables only, and the suite builds with the default (Hive)",
	}}, func(t *testing.T) adapters.Adapter {
		a, s := openFake(t, nil)
		// Any SELECT whose relations exist gets a row: the suite's row
		// checks are skipped, but reading a missing relation still fails.
		s.OnSelect(func(sql string) (*awsfake.Result, error) {
			return &awsfake.Result{Columns: []awsfake.Col{{Name: "x", Type: "integer"}}, Rows: [][]*string{awsfake.Row(1)}}, nil
		})
		// The suite's slow query runs until it is stopped.
		s.Hold(func(sql string) bool { return strings.Contains(sql, "cross join (values (0)") })
		return a
	})
}
