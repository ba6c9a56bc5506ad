package compiler

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/gmodel/gmodel/internal/phase"
	"github.com/gmodel/gmodel/project"
	"github.com/gmodel/gmodel/tests/benchgen"
)

var (
	bench10kOnce sync.Once
	bench10k     *Manifest
	bench10kErr  error
)

// manifest10k compiles the generated 10,000-model benchmark project once per
// process.
func manifest10k(b *testing.B) *Manifest {
	bench10kOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gmodel-manifest-bench-")
		if err != nil {
			bench10kErr = err
			return
		}
		dir = filepath.Join(dir, "p")
		if bench10kErr = benchgen.Generate(dir, 10000); bench10kErr != nil {
			return
		}
		p, err := project.Load(dir, project.LoadOptions{})
		if err != nil {
			bench10kErr = err
			return
		}
		bench10k, bench10kErr = Compile(p, Options{
			Target:       Target{Name: "dev", Profile: "p", Type: "postgres", Schema: "analytics", Database: "db", Threads: 2},
			InvocationID: "bench",
		})
	})
	if bench10kErr != nil {
		b.Fatal(bench10kErr)
	}
	return bench10k
}

// BenchmarkWriteManifest10k encodes the manifest of the 10,000-model
// benchmark project (about 98 MB) and discards it: the CPU of the "write
// manifest" phase without the file system.
func BenchmarkWriteManifest10k(b *testing.B) {
	m := manifest10k(b)
	b.ResetTimer()
	cpu := phase.ProcessCPU()
	for i := 0; i < b.N; i++ {
		if err := m.WriteManifest(io.Discard, runtime.GOMAXPROCS(0)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(phase.ProcessCPU()-cpu)/float64(b.N), "cpu-ns/op")
}

// BenchmarkWriteManifest10kFile is the same written to a new file, which
// is then removed, as compile does (it removes the previous manifest).
func BenchmarkWriteManifest10kFile(b *testing.B) {
	m := manifest10k(b)
	dir := b.TempDir()
	b.ResetTimer()
	cpu := phase.ProcessCPU()
	for i := 0; i < b.N; i++ {
		f, err := os.CreateTemp(dir, "manifest-*.json")
		if err != nil {
			b.Fatal(err)
		}
		if err := m.WriteManifest(f, runtime.GOMAXPROCS(0)); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.Remove(f.Name()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(phase.ProcessCPU()-cpu)/float64(b.N), "cpu-ns/op")
}

// BenchmarkAppendStr escapes the strings of a model's manifest entry: its
// SQL with newlines and quotes, and the short names and ids around it.
func BenchmarkAppendStr(b *testing.B) {
	sql := "{{\n    config(\n        materialized='table',\n        tags=['bronze', 'accounts']\n    )\n}}\n\n" +
		"-- bronze_accounts_00010: source-conformed accounts from raw.table_9, lightly cleaned.\n\nwith source as (\n\n" +
		"    select * from \"bench\".\"raw\".\"table_9\"\n\n),\n\nrenamed as (\n\n    select\n        source.id,\n" +
		"        source.customer_id,\n        lower(trim(source.status)) as status,\n" +
		"        round(cast(source.amount_cents as numeric) / 100, 2) as amount,\n" +
		"        nullif(trim(source.note), '') as note,\n    from source\n    where source.id is not null\n\n)\n\nselect * from renamed"
	strs := []string{sql, "model.bench.bronze_accounts_00010", "bronze_accounts_00010", "bench", "models/bronze/bronze_accounts_00010.sql",
		"Source-conformed copy of raw.table_9 (table_9), amounts converted from cents.", "id", "table"}
	n := 0
	for _, s := range strs {
		n += len(s)
	}
	b.SetBytes(int64(n))
	buf := make([]byte, 0, 4*n)
	for i := 0; i < b.N; i++ {
		buf = buf[:0]
		for _, s := range strs {
			buf = appendStr(buf, s)
		}
	}
}
