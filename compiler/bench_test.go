package compiler

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/gmodel/gmodel/internal/phase"
	"github.com/gmodel/gmodel/project"
	"github.com/gmodel/gmodel/tests/benchgen"
)

// renderCPU matches the --debug line of the parse and render phase.
var renderCPU = regexp.MustCompile(`parse and render +[0-9.]+ ms \(cpu +([0-9.]+) ms\)`)

// BenchmarkParseRender compiles (parse only) a generated project of 2,000
// models and reports the CPU time of the "parse and render" phase, the
// Jinja front end with the dbt context, as render-cpu-ms/op. Profile it
// with -cpuprofile and -focus renderAll.
func BenchmarkParseRender(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "p")
	if err := benchgen.Generate(dir, 2000); err != nil {
		b.Fatal(err)
	}
	p, err := project.Load(dir, project.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var log bytes.Buffer
	var cpu float64
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		log.Reset()
		_, err := Compile(p, Options{
			Target:    Target{Name: "dev", Profile: "p", Type: "postgres", Schema: "analytics", Database: "db", Threads: 2},
			ParseOnly: true,
			Log:       os.Stderr,
			Phases:    phase.New(&log),
		})
		if err != nil {
			b.Fatal(err)
		}
		m := renderCPU.FindSubmatch(log.Bytes())
		if m == nil {
			b.Fatalf("no parse and render phase in:\n%s", log.String())
		}
		ms, _ := strconv.ParseFloat(string(m[1]), 64)
		cpu += ms
	}
	b.ReportMetric(cpu/float64(b.N), "render-cpu-ms/op")
}
