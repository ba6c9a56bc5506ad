package compiler

import (
	"bufio"
	"bytes"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/project"
	"github.com/gmodel/gmodel/tests/benchgen"
)

// phaseLine matches the --debug lines of internal/phase.
var phaseLine = regexp.MustCompile(`^debug: (.+?)\s+([0-9.]+) ms \(cpu\s+([0-9.]+) ms\)$`)

// BenchmarkPhases10k compiles the generated 10,000-model project (loaded
// once, outside the timer) and reports each compile phase's wall and CPU
// time per compile as <phase>-ms and <phase>-cpu-ms, from the timer
// --debug prints.
func BenchmarkPhases10k(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "p")
	if err := benchgen.Generate(dir, 10000); err != nil {
		b.Fatal(err)
	}
	p, err := project.Load(dir, project.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	wall, cpu := map[string]float64{}, map[string]float64{}
	var order []string
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var log bytes.Buffer
		_, err := Compile(p, Options{
			Target:       Target{Name: "dev", Profile: "bench", Type: "postgres", Schema: "bench", Database: "bench", Threads: 4},
			InvocationID: "bench",
			Debug:        true,
			Log:          &log,
		})
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(&log)
		for sc.Scan() {
			m := phaseLine.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			w, _ := strconv.ParseFloat(m[2], 64)
			ms, _ := strconv.ParseFloat(m[3], 64)
			if _, ok := cpu[m[1]]; !ok {
				order = append(order, m[1])
			}
			wall[m[1]] += w
			cpu[m[1]] += ms
		}
	}
	for _, name := range order {
		unit := strings.ReplaceAll(strings.ReplaceAll(name, ",", ""), " ", "_")
		b.ReportMetric(wall[name]/float64(b.N), unit+"-ms")
		b.ReportMetric(cpu[name]/float64(b.N), unit+"-cpu-ms")
	}
}
