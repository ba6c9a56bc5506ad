package tests

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gmodel/gmodel/tests/benchgen"
)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchProject generates the 10,000-model benchmark project once per process.
func benchProject(b *testing.B) string {
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "gmodel-bench-")
		if benchErr == nil {
			benchErr = benchgen.Generate(filepath.Join(benchDir, "p"), 10000)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return filepath.Join(benchDir, "p")
}

// BenchmarkCompile10k is `gmodel compile` on a generated project of 10,000
// models (200 macro files, two tests per model): load, render, graph,
// compiled files and manifest written. `make bench-compile` measures the
// same with the real binary, wall clock and peak memory.
func BenchmarkCompile10k(b *testing.B) {
	dir := benchProject(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := run(nil, nil, "compile", "--write-compiled=false", "--project-dir", dir, "--profiles-dir", dir)
		if r.code != 0 {
			b.Fatalf("compile: exit %d\n%s", r.code, r.stderr)
		}
	}
}
