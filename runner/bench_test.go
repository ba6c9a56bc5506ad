package runner

import (
	"context"
	"fmt"
	"io"
	"testing"
)

// BenchmarkRunOverhead runs 1,000 trivial view models (ten chains of a
// hundred) on 4 threads with an adapter that answers at once: what the
// runner itself costs per model, compilation included.
func BenchmarkRunOverhead(b *testing.B) {
	files := map[string]string{
		"dbt_project.yml": "name: shop\nprofile: shop\nmodels:\n  shop:\n    +materialized: view\n",
	}
	for c := 0; c < 10; c++ {
		for i := 0; i < 100; i++ {
			sql := "select 1 as id\n"
			if i > 0 {
				sql = fmt.Sprintf("select id from {{ ref('m_%d_%d') }}\n", c, i-1)
			}
			files[fmt.Sprintf("models/c%d/m_%d_%d.sql", c, c, i)] = sql
		}
	}
	dir := writeProjectB(b, files)
	opts := testOptions(b, dir, CmdRun, &fake{}, io.Discard)
	opts.Threads = 4
	opts.TargetDir = b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		opts.Adapter = &fake{}
		rep, err := Run(context.Background(), opts)
		if err != nil || rep.Failed() || len(rep.Results) != 1000 {
			b.Fatalf("%v %d", err, len(rep.Results))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000/1000, "ms/model")
}
