package selector

import (
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// Node is what selection needs to know about one resource in the project.
// The fields mirror the attributes dbt's selector methods read.
type Node struct {
	UniqueID     string   // "model.jaffle_shop.stg_orders", "source.jaffle_shop.raw.orders"
	Name         string   // "stg_orders"; for sources the table name; for versioned models without the version
	ResourceType string   // model, seed, snapshot, test, unit_test, source, analysis, exposure, operation, ...
	Package      string   // the package (project) name
	FQN          []string // dbt's fully qualified name; sources: package, source name, table
	Path         string   // original_file_path relative to the project root; the .yml for sources and generic tests
	Tags         []string
	// Config is the resolved config: materialized, enabled, schema,
	// severity, meta, ... Values are string, bool, int, float64, []any or
	// map[string]any. A node whose "enabled" is false is not in the graph.
	Config map[string]any
	// ConfigFunc, used when Config is nil, builds the config on demand: only
	// config: and group: selection need it, and converting the configs of
	// tens of thousands of nodes up front costs more than the selection.
	// Nodes given this way count as enabled.
	ConfigFunc func() map[string]any
	TestType   string   // "generic" or "singular" for tests, else ""
	TestName   string   // the generic test's name: "unique", "not_null", ...
	SourceName string   // for sources
	DependsOn  []string // unique IDs of parents; for tests the nodes they test
	Access     string   // models: public, protected (the default when empty) or private
	Group      string
	Version    string // versioned models: "1", "2", ...
	// LatestVersion is a versioned model's latest_version property; when
	// empty, the highest version of the model is the latest, as in dbt.
	LatestVersion string
}

// Graph is the project's DAG prepared for selection. Build it once with
// NewGraph and share it: Select never modifies it, so concurrent calls are
// safe.
type Graph struct {
	nodes    []*Node // graph members, sorted by UniqueID
	index    map[string]int
	parents  [][]int32
	children [][]int32
	tests    bitset // nodes that can be selected indirectly
	sources  bitset
	// latest holds each versioned model's latest version, for version:.
	latest map[int]string
	fqn    []flatFQN
}

// flatFQN is a node's fqn with dots inside names taken as separators, as
// dbt flattens it, joined once so that matching does not allocate.
type flatFQN struct {
	joined string // the flat parts joined by "."
	starts []int  // where each flat part starts in joined
	scope  int    // how many flat parts come from the package, fqn[0]
}

func newFlatFQN(fqn []string) flatFQN {
	var f flatFQN
	f.joined = strings.Join(fqn, ".")
	f.starts = append(f.starts, 0)
	for i := 0; i < len(f.joined); i++ {
		if f.joined[i] == '.' {
			f.starts = append(f.starts, i+1)
		}
	}
	if len(fqn) > 0 {
		f.scope = strings.Count(fqn[0], ".") + 1
	}
	return f
}

// part returns flat part i.
func (f *flatFQN) part(i int) string {
	end := len(f.joined)
	if i+1 < len(f.starts) {
		end = f.starts[i+1] - 1
	}
	return f.joined[f.starts[i]:end]
}

// NewGraph builds the graph from nodes. Like dbt it leaves out disabled
// nodes (config enabled: false) and edges to unknown or disabled nodes. Nil
// nodes and repeated unique IDs after the first are ignored.
func NewGraph(nodes []*Node) *Graph {
	var members []*Node
	seen := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		if n == nil || seen[n.UniqueID] || disabled(n) {
			continue
		}
		seen[n.UniqueID] = true
		members = append(members, n)
	}
	slices.SortFunc(members, func(a, b *Node) int { return strings.Compare(a.UniqueID, b.UniqueID) })

	g := &Graph{
		nodes:    members,
		index:    make(map[string]int, len(members)),
		parents:  make([][]int32, len(members)),
		children: make([][]int32, len(members)),
		tests:    newBitset(len(members)),
		sources:  newBitset(len(members)),
		latest:   map[int]string{},
		fqn:      make([]flatFQN, len(members)),
	}
	for i, n := range members {
		g.index[n.UniqueID] = i
		g.fqn[i] = newFlatFQN(n.FQN)
	}
	for i, n := range members {
		for _, dep := range n.DependsOn {
			p, ok := g.index[dep]
			if !ok || p == i || slices.Contains(g.parents[i], int32(p)) {
				continue
			}
			g.parents[i] = append(g.parents[i], int32(p))
			g.children[p] = append(g.children[p], int32(i))
		}
		switch n.ResourceType {
		case "test", "unit_test":
			g.tests.set(i)
		case "source":
			g.sources.set(i)
		}
	}
	g.findLatestVersions()
	return g
}

// config returns the node's config, building it when given lazily.
func (n *Node) config() map[string]any {
	if n.Config == nil && n.ConfigFunc != nil {
		return n.ConfigFunc()
	}
	return n.Config
}

func disabled(n *Node) bool {
	v, ok := n.Config["enabled"].(bool)
	return ok && !v
}

// findLatestVersions applies dbt's rule: a versioned model's latest_version
// is the one declared, else the highest version among its siblings.
func (g *Graph) findLatestVersions() {
	type key struct{ pkg, name string }
	versions := map[key][]int{}
	for i, n := range g.nodes {
		if n.ResourceType == "model" && n.Version != "" {
			k := key{n.Package, n.Name}
			versions[k] = append(versions[k], i)
		}
	}
	for _, ids := range versions {
		latest := ""
		for _, i := range ids {
			if v := g.nodes[i].LatestVersion; v != "" {
				latest = v
				break
			}
		}
		if latest == "" {
			for _, i := range ids {
				if v := g.nodes[i].Version; latest == "" || compareVersions(v, latest) > 0 {
					latest = v
				}
			}
		}
		for _, i := range ids {
			g.latest[i] = latest
		}
	}
}

// compareVersions orders versions as dbt's UnparsedVersion does: as numbers
// when both are numbers, else as strings.
func compareVersions(a, b string) int {
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

// Len reports how many nodes are in the graph (disabled nodes excluded).
func (g *Graph) Len() int { return len(g.nodes) }

// selectParents returns the ancestors of sel up to depth generations
// (depth < 0: all), walking the graph layer by layer as dbt does. Nodes of
// sel are included only when they are ancestors of other nodes of sel.
func (g *Graph) selectParents(sel bitset, depth int) bitset {
	return g.walk(sel, depth, g.parents)
}

// selectChildren is selectParents' mirror image.
func (g *Graph) selectChildren(sel bitset, depth int) bitset {
	return g.walk(sel, depth, g.children)
}

func (g *Graph) walk(sel bitset, depth int, edges [][]int32) bitset {
	out := newBitset(len(g.nodes))
	frontier := sel.members()
	for i := 0; len(frontier) > 0 && (depth < 0 || i < depth); i++ {
		var next []int
		for _, n := range frontier {
			for _, m := range edges[n] {
				if !out.has(int(m)) {
					out.set(int(m))
					next = append(next, int(m))
				}
			}
		}
		frontier = next
	}
	return out
}

// selectChildrensParents is the @ operator: sel, its descendants, and all
// ancestors of those.
func (g *Graph) selectChildrensParents(sel bitset) bitset {
	base := g.selectChildren(sel, -1)
	base.or(sel)
	out := g.selectParents(base, -1)
	out.or(base)
	return out
}

// bitset is a set of node indexes.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int)      { b[i/64] |= 1 << (uint(i) % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(uint(i)%64)) != 0 }
func (b bitset) clone() bitset  { return slices.Clone(b) }

func (b bitset) or(o bitset) {
	for i := range b {
		b[i] |= o[i]
	}
}

func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}

func (b bitset) andNot(o bitset) {
	for i := range b {
		b[i] &^= o[i]
	}
}

func (b bitset) equal(o bitset) bool { return slices.Equal(b, o) }

func (b bitset) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

// members lists the indexes in ascending order.
func (b bitset) members() []int {
	var out []int
	for wi, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			out = append(out, wi*64+t)
			w &= w - 1
		}
	}
	return out
}
