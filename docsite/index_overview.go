package docsite

import (
	"fmt"
	"slices"
	"strings"
)

// Overview is GET /api/overview: the project's overview page.
type Overview struct {
	Project      ProjectInfo `json:"project"`
	OverviewHTML string      `json:"overview_html"`
	Counts       Counts      `json:"counts"`
	LastRun      *RunSummary `json:"last_run"`
}

// Counts count the nodes of the project: by layer and by materialization
// the relations and exposures (tests left out), by type everything.
type Counts struct {
	ByLayer           map[string]int `json:"by_layer"`
	ByMaterialization map[string]int `json:"by_materialization"`
	ByType            map[string]int `json:"by_type"`
}

// RunSummary sums up run_results.json: how many nodes ended in each
// status.
type RunSummary struct {
	GeneratedAt string         `json:"generated_at"`
	Elapsed     float64        `json:"elapsed"`
	Statuses    map[string]int `json:"statuses"`
}

// Overview returns the overview page.
func (s *Site) Overview() *Overview { return s.overview }

func (s *Site) buildOverview(man *manifestFile, results *runResultsFile) *Overview {
	o := &Overview{
		Project: s.project,
		Counts: Counts{
			ByLayer:           map[string]int{},
			ByMaterialization: map[string]int{},
			ByType:            map[string]int{},
		},
	}
	for _, l := range Layers {
		o.Counts.ByLayer[l] = 0
	}
	for _, n := range s.nodes {
		t := n.m.ResourceType
		o.Counts.ByType[t]++
		if t == "test" || t == "unit_test" {
			continue
		}
		o.Counts.ByLayer[n.layer]++
		o.Counts.ByMaterialization[n.mat]++
	}
	if results != nil {
		sum := &RunSummary{GeneratedAt: results.Metadata.GeneratedAt, Elapsed: results.ElapsedTime, Statuses: map[string]int{}}
		for _, st := range []string{"success", "error", "pass", "fail", "warn", "skipped"} {
			sum.Statuses[st] = 0
		}
		for _, r := range results.Results {
			if r != nil && r.Status != "" {
				sum.Statuses[r.Status]++
			}
		}
		o.LastRun = sum
	}
	o.OverviewHTML = s.render.markdown(overviewMarkdown(man, o))
	return o
}

// overviewMarkdown is the project's __overview__ doc block (the root
// project's first, as dbt picks it), or a generated summary.
func overviewMarkdown(man *manifestFile, o *Overview) string {
	ids := make([]string, 0, len(man.Docs))
	for id := range man.Docs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	other := ""
	for _, id := range ids {
		d := man.Docs[id]
		if d == nil || d.Name != "__overview__" {
			continue
		}
		if d.PackageName == man.Metadata.ProjectName {
			return d.BlockContents
		}
		if d.PackageName != "dbt" && other == "" {
			other = d.BlockContents
		}
	}
	if other != "" {
		return other
	}
	var b strings.Builder
	name := man.Metadata.ProjectName
	if name == "" {
		name = "this project"
	}
	fmt.Fprintf(&b, "## Welcome to the documentation of %s\n\n", name)
	var types []string
	for t, n := range o.Counts.ByType {
		types = append(types, fmt.Sprintf("%d %s", n, plural(t, n)))
	}
	slices.Sort(types)
	if len(types) > 0 {
		fmt.Fprintf(&b, "The project has %s.\n\n", strings.Join(types, ", "))
	}
	b.WriteString("Browse the nodes on the left, search with `/`, and open a node's lineage to see what it is built from and what is built on it.\n\n")
	b.WriteString("Add a `{% docs __overview__ %}` block to a `.md` file of the project to replace this text.\n")
	return b.String()
}

func plural(t string, n int) string {
	if n == 1 {
		return t
	}
	switch t {
	case "analysis":
		return "analyses"
	case "unit_test":
		return "unit tests"
	}
	return t + "s"
}
