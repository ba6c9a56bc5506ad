package compiler

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

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
	for i := 0; i < b.N; i++ {
		if err := m.WriteManifest(io.Discard, runtime.GOMAXPROCS(0)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteManifest10kFile is the same written to a file, as compile
// does (without the rename).
func BenchmarkWriteManifest10kFile(b *testing.B) {
	m := manifest10k(b)
	path := filepath.Join(b.TempDir(), "manifest.json")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.WriteManifest(f, runtime.GOMAXPROCS(0)); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
