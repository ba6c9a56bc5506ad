package selector

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// generated builds an n-node project shaped like a large dbt project:
// sources feed staging models, staging feeds intermediate models, those
// feed marts, and about half the nodes are tests on the models. One node in
// twenty is tagged x. The graph is the same on every run.
func generated(n int) []*Node {
	r := rand.New(rand.NewPCG(1, 2))
	const pkg = "big"
	var nodes []*Node
	layers := []struct {
		name  string
		share int // per 100 non-test nodes
	}{{"source", 5}, {"staging", 40}, {"intermediate", 35}, {"marts", 20}}
	models := n / 2
	var prev, all []string
	for _, l := range layers {
		var this []string
		for i := 0; i < models*l.share/100; i++ {
			name := fmt.Sprintf("%s_%d", l.name, i)
			node := &Node{
				Name: name, ResourceType: "model", Package: pkg,
				FQN:    []string{pkg, l.name, name},
				Path:   fmt.Sprintf("models/%s/%s.sql", l.name, name),
				Config: map[string]any{"materialized": "view"},
			}
			if l.name == "source" {
				node.ResourceType, node.SourceName, node.FQN = "source", "raw", []string{pkg, "raw", name}
				node.UniqueID = "source." + pkg + ".raw." + name
			} else {
				node.UniqueID = "model." + pkg + "." + name
				for k := 1 + r.IntN(3); k > 0 && len(prev) > 0; k-- {
					node.DependsOn = append(node.DependsOn, prev[r.IntN(len(prev))])
				}
			}
			if r.IntN(20) == 0 {
				node.Tags = []string{"x"}
			}
			nodes = append(nodes, node)
			this = append(this, node.UniqueID)
		}
		prev = this
		all = append(all, this...)
	}
	for i := 0; len(nodes) < n; i++ {
		parent := all[r.IntN(len(all))]
		deps := []string{parent}
		if r.IntN(10) == 0 { // a relationships test
			deps = append(deps, all[r.IntN(len(all))])
		}
		nodes = append(nodes, &Node{
			UniqueID: fmt.Sprintf("test.%s.not_null_%d", pkg, i), Name: fmt.Sprintf("not_null_%d", i),
			ResourceType: "test", Package: pkg, FQN: []string{pkg, "tests", fmt.Sprintf("not_null_%d", i)},
			Path: "models/schema.yml", TestType: "generic", TestName: "not_null", DependsOn: deps,
		})
	}
	return nodes
}

func BenchmarkSelect(b *testing.B) {
	g := NewGraph(generated(10000))
	for _, bc := range []struct {
		name string
		opts Options
	}{
		{"marts_family_or_tag", Options{Select: []string{"+marts+ tag:x"}}},
		{"marts_family_or_tag_cautious", Options{Select: []string{"+marts+ tag:x"}, IndirectSelection: "cautious"}},
		{"everything_but_staging", Options{DefaultAll: true, Exclude: []string{"staging"}}},
		{"at_operator", Options{Select: []string{"@source:raw.source_1"}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				got, err := Select(g, bc.opts)
				if err != nil {
					b.Fatal(err)
				}
				n = len(got)
			}
			b.ReportMetric(float64(n), "selected")
		})
	}
}

func BenchmarkNewGraph(b *testing.B) {
	nodes := generated(10000)
	b.ReportAllocs()
	for b.Loop() {
		NewGraph(nodes)
	}
}

func TestGeneratedGraph(t *testing.T) {
	g := NewGraph(generated(10000))
	if g.Len() != 10000 {
		t.Fatalf("generated %d nodes, want 10000", g.Len())
	}
	got, err := Select(g, Options{Select: []string{"+marts+ tag:x"}})
	if err != nil || len(got) == 0 || len(got) == g.Len() {
		t.Fatalf("Select() = %d nodes, %v; want a proper subset", len(got), err)
	}
}
