package compiler

import (
	"container/heap"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/dominikbraun/graph"
	"github.com/gmodel/gmodel/project"
)

// Manifest is a compiled project: nodes, sources, macros and docs, with the
// dependency graph between them.
type Manifest struct {
	Project      *project.Project
	Target       Target
	InvocationID string
	GeneratedAt  string

	Nodes    []*Node // enabled nodes, sorted by unique id
	Disabled []*Node
	Sources  []*SourceNode
	Macros   []*MacroNode
	Docs     []*DocNode

	ByID       map[string]*Node
	SourceByID map[string]*SourceNode
	// ParentMap and ChildMap give first-order parents and children of every
	// node and source, sorted.
	ParentMap map[string][]string
	ChildMap  map[string][]string
	// OnRunStart are the project's rendered on-run-start hooks.
	OnRunStart []Hook

	graphOnce sync.Once
	dag       graph.Graph[string, string]
	acyclic   bool      // no dependency cycle among the nodes
	c         *compiler // for RenderSQL after compilation
}

// DAG returns the dependency graph (parent -> child edges) of nodes and
// sources, built on first use: compile and ls do not need it.
func (m *Manifest) DAG() graph.Graph[string, string] {
	m.graphOnce.Do(func() {
		g := graph.New(graph.StringHash, graph.Directed())
		for _, s := range m.Sources {
			_ = g.AddVertex(s.UniqueID)
		}
		for _, n := range m.Nodes {
			_ = g.AddVertex(n.UniqueID)
		}
		for _, n := range m.Nodes {
			for _, p := range n.DependsOnNodes {
				if _, ok := m.ChildMap[p]; ok {
					_ = g.AddEdge(p, n.UniqueID)
				}
			}
		}
		m.dag = g
	})
	return m.dag
}

// dedupe drops repeated strings, keeping first-seen order. It returns ss
// itself when nothing repeats (and a non-nil empty slice for none).
func dedupe(ss []string) []string {
	if len(ss) == 0 {
		return []string{}
	}
	for i := 1; i < len(ss); i++ {
		if slices.Contains(ss[:i], ss[i]) {
			out := slices.Clone(ss[:i])
			for _, s := range ss[i+1:] {
				if !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return ss
}

func dedupeSorted(ss []string) []string {
	if len(ss) == 0 {
		return []string{}
	}
	sort.Strings(ss)
	out := ss[:1]
	for _, s := range ss[1:] {
		if s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	return out
}

func (c *compiler) buildManifest() *Manifest {
	m := &Manifest{
		c:            c,
		Project:      c.p,
		Target:       c.opts.Target,
		InvocationID: c.opts.InvocationID,
		GeneratedAt:  c.opts.RunStartedAt.UTC().Format("2006-01-02T15:04:05.000000Z"),
		Sources:      c.srcList,
		Docs:         c.docs,
	}
	m.Nodes = make([]*Node, 0, len(c.nodes))
	for _, n := range c.nodes {
		if n.disabled {
			m.Disabled = append(m.Disabled, n)
			continue
		}
		m.Nodes = append(m.Nodes, n)
	}
	// Sorting the nodes and tidying their dependency lists are independent.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		slices.SortFunc(m.Nodes, func(a, b *Node) int { return strings.Compare(a.UniqueID, b.UniqueID) })
	}()
	// c.nodes, not m.Nodes, which is being sorted.
	for _, n := range c.nodes {
		if !n.disabled {
			n.DependsOnNodes = dedupeSorted(n.DependsOnNodes)
			n.DependsOnMacros = dedupe(n.DependsOnMacros)
		}
	}
	sort.Slice(m.Sources, func(i, j int) bool { return m.Sources[i].UniqueID < m.Sources[j].UniqueID })
	m.Macros = append(m.Macros, c.macroDefs...)
	m.Macros = append(m.Macros, c.builtinDefs()...)
	sort.Slice(m.Macros, func(i, j int) bool { return m.Macros[i].UniqueID < m.Macros[j].UniqueID })
	sort.Slice(m.Docs, func(i, j int) bool { return m.Docs[i].UniqueID < m.Docs[j].UniqueID })
	wg.Wait()

	// The id maps fill on one goroutine while this one works out the
	// children and checks for cycles.
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.ByID = make(map[string]*Node, len(m.Nodes))
		m.SourceByID = make(map[string]*SourceNode, len(m.Sources))
		m.ParentMap = make(map[string][]string, len(m.Nodes)+len(m.Sources))
		for _, s := range m.Sources {
			m.SourceByID[s.UniqueID] = s
			m.ParentMap[s.UniqueID] = []string{}
		}
		for _, n := range m.Nodes {
			m.ByID[n.UniqueID] = n
			m.ParentMap[n.UniqueID] = n.DependsOnNodes
		}
	}()
	g := newIndexGraph(m)
	m.ChildMap = make(map[string][]string, len(m.Nodes)+len(m.Sources))
	// Nodes are sorted, so each node's children are in sorted order; they
	// share one backing array, each capped so an append copies.
	ids := make([]string, len(g.children))
	for i, ch := range g.children {
		ids[i] = m.Nodes[ch].UniqueID
	}
	for i, n := range m.Nodes {
		m.ChildMap[n.UniqueID] = ids[g.start[i]:g.start[i+1]:g.start[i+1]]
	}
	for i, s := range m.Sources {
		j := len(m.Nodes) + i
		m.ChildMap[s.UniqueID] = ids[g.start[j]:g.start[j+1]:g.start[j+1]]
	}
	m.acyclic = g.acyclic()
	wg.Wait()
	return m
}

// indexGraph is the graph of a manifest's nodes (0..len(Nodes)-1, in sorted
// order) and sources (after them) by position, children as one flat list
// (CSR): children of i are children[start[i]:start[i+1]].
type indexGraph struct {
	start    []int32
	children []int32
	indeg    []int32 // number of parents among the manifest's nodes and sources
}

func newIndexGraph(m *Manifest) *indexGraph {
	total := len(m.Nodes) + len(m.Sources)
	pos := make(map[string]int32, total)
	for i, n := range m.Nodes {
		pos[n.UniqueID] = int32(i)
	}
	for i, s := range m.Sources {
		pos[s.UniqueID] = int32(len(m.Nodes) + i)
	}
	g := &indexGraph{start: make([]int32, total+1), indeg: make([]int32, total)}
	// Each node's parents by position, found once.
	var parents []int32
	parentStart := make([]int32, len(m.Nodes)+1)
	for i, n := range m.Nodes {
		for _, p := range n.DependsOnNodes {
			if j, ok := pos[p]; ok {
				parents = append(parents, j)
				g.start[j+1]++
				g.indeg[i]++
			}
		}
		parentStart[i+1] = int32(len(parents))
	}
	for i := 0; i < total; i++ {
		g.start[i+1] += g.start[i]
	}
	g.children = make([]int32, len(parents))
	fill := slices.Clone(g.start[:total])
	for i := range m.Nodes {
		for _, j := range parents[parentStart[i]:parentStart[i+1]] {
			g.children[fill[j]] = int32(i)
			fill[j]++
		}
	}
	return g
}

// acyclic reports whether the dependencies form no cycle (Kahn's
// algorithm: every vertex gets taken once its parents are). It uses up
// indeg.
func (g *indexGraph) acyclic() bool {
	stack := make([]int32, 0, len(g.indeg))
	for i, d := range g.indeg {
		if d == 0 {
			stack = append(stack, int32(i))
		}
	}
	done := 0
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		done++
		for _, ch := range g.children[g.start[i]:g.start[i+1]] {
			if g.indeg[ch]--; g.indeg[ch] == 0 {
				stack = append(stack, ch)
			}
		}
	}
	return done == len(g.indeg)
}

// checkGraph reports dependencies on disabled nodes and cycles.
func (c *compiler) checkGraph(m *Manifest) {
	if len(m.Disabled) > 0 {
		disabled := make(map[string]*Node, len(m.Disabled))
		for _, n := range m.Disabled {
			disabled[n.UniqueID] = n
		}
		for _, n := range m.Nodes {
			for _, p := range n.DependsOnNodes {
				if d := disabled[p]; d != nil {
					c.addErr(n.posOfDep(p), fmt.Sprintf("%s '%s' depends on %s '%s', which is disabled", n.ResourceType, n.Name, d.ResourceType, d.Name),
						"enable "+d.OriginalFilePath+" or remove the ref()")
				}
			}
		}
	}
	// A topological order that misses nodes means a cycle; only then is it
	// worth finding the strongly connected components to name it.
	if m.acyclic {
		return
	}
	sccs, err := graph.StronglyConnectedComponents(m.DAG())
	if err != nil {
		c.addErr(project.Pos{File: c.p.File}, "checking the graph for cycles: "+err.Error(), "")
		return
	}
	for _, scc := range sccs {
		if len(scc) < 2 {
			if len(scc) == 1 && m.ByID[scc[0]] != nil && contains(m.ByID[scc[0]].DependsOnNodes, scc[0]) {
				n := m.ByID[scc[0]]
				c.addErr(n.posOfDep(n.UniqueID), fmt.Sprintf("%s '%s' refers to itself", n.ResourceType, n.Name), "use {{ this }} to refer to the model's own relation")
			}
			continue
		}
		cycle := orderCycle(m, scc)
		var parts []string
		for _, id := range cycle {
			n := m.ByID[id]
			parts = append(parts, fmt.Sprintf("%s (%s)", n.Name, n.OriginalFilePath))
		}
		parts = append(parts, m.ByID[cycle[0]].Name)
		// The first node refers to the last one: that ref() closes the cycle.
		first := m.ByID[cycle[0]]
		c.addErr(first.posOfDep(cycle[len(cycle)-1]), "dependency cycle: "+strings.Join(parts, " -> "),
			"break the cycle by removing one of these ref() calls")
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// orderCycle walks one cycle inside a strongly connected component, starting
// from its smallest id, so the message reads in dependency order.
func orderCycle(m *Manifest, scc []string) []string {
	in := map[string]bool{}
	for _, id := range scc {
		in[id] = true
	}
	sort.Strings(scc)
	start := scc[0]
	path := []string{start}
	seen := map[string]bool{start: true}
	cur := start
	for {
		var next string
		for _, child := range m.ChildMap[cur] {
			if child == start && len(path) > 1 {
				return path
			}
			if in[child] && !seen[child] && next == "" {
				next = child
			}
		}
		if next == "" {
			return path
		}
		seen[next] = true
		path = append(path, next)
		cur = next
	}
}

// topoOrder returns the manifest's nodes with parents before children,
// ties broken by unique id (m.Nodes is sorted, so by position).
func topoOrder(m *Manifest) []*Node {
	pos := make(map[string]int32, len(m.Nodes))
	for i, n := range m.Nodes {
		pos[n.UniqueID] = int32(i)
	}
	indeg := make([]int32, len(m.Nodes))
	children := make([][]int32, len(m.Nodes))
	for i, n := range m.Nodes {
		for _, p := range n.DependsOnNodes {
			if j, ok := pos[p]; ok {
				indeg[i]++
				children[j] = append(children[j], int32(i))
			}
		}
	}
	ready := &posHeap{}
	for i := range m.Nodes {
		if indeg[i] == 0 {
			*ready = append(*ready, int32(i))
		}
	}
	heap.Init(ready)
	out := make([]*Node, 0, len(m.Nodes))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int32)
		out = append(out, m.Nodes[i])
		for _, ch := range children[i] {
			indeg[ch]--
			if indeg[ch] == 0 {
				heap.Push(ready, ch)
			}
		}
	}
	return out
}

// posHeap is a min-heap of node positions.
type posHeap []int32

func (h posHeap) Len() int           { return len(h) }
func (h posHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h posHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *posHeap) Push(x any)        { *h = append(*h, x.(int32)) }
func (h *posHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// compileSQL produces every node's compiled SQL: a final render where the
// parse render was not enough, placeholders replaced by relation names, and
// ephemeral models injected as CTEs.
func (c *compiler) compileSQL(m *Manifest) {
	var again []*Node
	for _, n := range m.Nodes {
		if n.needsFinal && n.tmpl != nil {
			again = append(again, n)
		}
	}
	c.parallel(len(again), func(i int) { c.render(again[i], true) })
	if c.err() != nil {
		return
	}
	c.parallel(len(m.Nodes), func(i int) {
		n := m.Nodes[i]
		if !n.templated && n.TestMetadata == nil {
			return
		}
		n.CompiledCode = c.substitute(n.rendered)
		n.rendered = ""
		n.Compiled = true
		n.CompiledPath = c.p.TargetPath + "/compiled/" + c.p.Name + "/" + n.OriginalFilePath
		if n.TestMetadata != nil {
			n.CompiledPath = c.p.TargetPath + "/compiled/" + c.p.Name + "/" + n.OriginalFilePath + "/" + n.Path
		}
	})
	c.injectCTEs(m)
	c.parallel(len(m.Nodes), func(i int) {
		if n := m.Nodes[i]; n.ResourceType != Test {
			c.renderHooks(n)
		}
	})
	c.renderRunHooks(m)
}

// substitute replaces relation placeholders with final relation names.
func (c *compiler) substitute(s string) string {
	i := strings.Index(s, placeholderMark)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 64)
	for i >= 0 {
		b.WriteString(s[:i])
		s = s[i+len(placeholderMark):]
		end := strings.IndexByte(s, 0)
		if end < 0 {
			break
		}
		idx, err := strconv.Atoi(s[:end])
		s = s[end+1:]
		if err == nil && idx >= 0 && idx < len(c.nodes) {
			if n := c.nodes[idx]; n.RelationName != "" {
				// A relational node's name, rendered once by resolveRelation.
				b.WriteString(n.RelationName)
			} else {
				b.WriteString((&Relation{node: n, dialect: c.dialect}).String())
			}
		}
		i = strings.Index(s, placeholderMark)
	}
	b.WriteString(s)
	return b.String()
}

// injectCTEs inlines ephemeral models into the SQL of the nodes that use
// them, the way dbt does: `with __dbt__cte__name as (...)` before the node's
// own CTEs.
func (c *compiler) injectCTEs(m *Manifest) {
	hasEphemeral := false
	for _, n := range m.Nodes {
		if n.Materialized() == "ephemeral" {
			hasEphemeral = true
			break
		}
	}
	if !hasEphemeral {
		return
	}
	// Nested ephemerals are hoisted into the outer statement, so each CTE
	// holds its model's SQL before its own injection.
	pre := map[string]string{}
	for _, n := range topoOrder(m) {
		if !n.Compiled {
			continue
		}
		pre[n.UniqueID] = n.CompiledCode
		var ctes []CTE
		seen := map[string]bool{}
		var visit func(x *Node)
		visit = func(x *Node) {
			for _, p := range x.DependsOnNodes {
				e := m.ByID[p]
				if e == nil || e.Materialized() != "ephemeral" || seen[p] {
					continue
				}
				seen[p] = true
				visit(e)
				ctes = append(ctes, CTE{ID: p, SQL: " __dbt__cte__" + e.Alias + " as (\n" + pre[p] + "\n)"})
			}
		}
		visit(n)
		if len(ctes) == 0 {
			continue
		}
		n.ExtraCTEs = ctes
		n.CompiledCode = injectCTESQL(n.CompiledCode, ctes)
	}
}

// injectCTESQL puts ctes into sql as dbt does (with sqlparse): after the
// statement's WITH (or WITH RECURSIVE) and the whitespace that follows it,
// then ", "; or, when there is no WITH, "with <ctes> " before the first
// token.
func injectCTESQL(sql string, ctes []CTE) string {
	var parts []string
	for _, c := range ctes {
		parts = append(parts, c.SQL)
	}
	joined := strings.Join(parts, ", ")
	i := skipSpaceAndComments(sql, 0)
	if w := keywordAt(sql, i, "with"); w > 0 {
		end := i + w
		if j := skipSpace(sql, end); keywordAt(sql, j, "recursive") > 0 {
			end = j + len("recursive")
		}
		k := skipSpace(sql, end)
		return sql[:k] + joined + ", " + sql[k:]
	}
	first := skipSpace(sql, 0)
	return sql[:first] + "with" + joined + " " + sql[first:]
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func skipSpaceAndComments(s string, i int) int {
	for {
		i = skipSpace(s, i)
		switch {
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return len(s)
			}
			i += j + 1
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return len(s)
			}
			i += j + 4
		default:
			return i
		}
	}
}

// keywordAt returns the keyword's length when s has it (any case) at i as a
// whole word, else 0.
func keywordAt(s string, i int, kw string) int {
	if len(s)-i < len(kw) || !strings.EqualFold(s[i:i+len(kw)], kw) {
		return 0
	}
	if j := i + len(kw); j < len(s) {
		ch := s[j]
		if ch == '_' || ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' {
			return 0
		}
	}
	return len(kw)
}

// didYouMean returns the candidate closest to name, if close enough.
func didYouMean(name string, candidates []string) string {
	return project.DidYouMean(name, candidates)
}
