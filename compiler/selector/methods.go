package selector

import (
	"path"
	"slices"
	"strings"
)

// searchFunc adds to out the nodes of g that c's method and value match,
// before graph operators are applied. It errors on values the method
// cannot take.
type searchFunc func(g *Graph, c *criteria, out bitset) error

// methods is every method dbt knows, each in one place. "selector" is
// resolved by the evaluator, which knows the selectors file.
var methods = map[string]searchFunc{
	"fqn":            searchFQN,
	"tag":            searchTag,
	"group":          searchGroup,
	"access":         searchAccess,
	"source":         searchSource,
	"path":           searchPath,
	"file":           searchFile,
	"package":        searchPackage,
	"config":         searchConfig,
	"test_name":      searchTestName,
	"test_type":      searchTestType,
	"resource_type":  searchResourceType,
	"exposure":       searchNamed("exposure"),
	"metric":         searchNamed("metric"),
	"semantic_model": searchNamed("semantic_model"),
	"saved_query":    searchNamed("saved_query"),
	"unit_test":      searchNamed("unit_test"),
	"version":        searchVersion,
	"selector":       nil,
	"state":          needsState,
	"result":         needsState,
	"source_status":  needsState,
}

func methodNames() []string {
	names := make([]string, 0, len(methods))
	for name := range methods {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// The node kinds dbt's selector methods iterate over.
func isSource(n *Node) bool { return n.ResourceType == "source" }

// isParsed reports whether n lives in dbt's manifest.nodes: models, seeds,
// snapshots, analyses, data tests, operations.
func isParsed(n *Node) bool {
	switch n.ResourceType {
	case "source", "exposure", "metric", "semantic_model", "saved_query", "unit_test", "group":
		return false
	}
	return true
}

func each(g *Graph, out bitset, keep func(*Node) bool) {
	for i, n := range g.nodes {
		if keep(n) {
			out.set(i)
		}
	}
}

// searchFQN matches the value, split on ".", against each node's fqn, with
// and without its package, as dbt's QualifiedNameSelectorMethod does.
// Sources are not matched: dbt selects them with source: only.
func searchFQN(g *Graph, c *criteria, out bitset) error {
	m := newFQNMatcher(c.value)
	for i, n := range g.nodes {
		if !isSource(n) && m.match(n, &g.fqn[i]) {
			out.set(i)
		}
	}
	return nil
}

// fqnMatcher is dbt's is_selected_node, prepared once per selector value.
type fqnMatcher struct {
	sel   string
	parts []string
	wild  int  // index of the first part with a wildcard, or -1
	tail  glob // the parts from wild on, joined by "."
	// lastTwo is the selector's last two parts joined by "_", which a
	// versioned model's name and version may match (dim_customers.v2).
	lastTwo string
}

func newFQNMatcher(sel string) *fqnMatcher {
	m := &fqnMatcher{sel: sel, parts: strings.Split(sel, "."), wild: -1}
	for i, p := range m.parts {
		if hasWildcard(p) {
			m.wild = i
			m.tail = newGlob(strings.Join(m.parts[i:], "."))
			break
		}
	}
	m.lastTwo = strings.Join(m.parts[max(0, len(m.parts)-2):], "_")
	return m
}

// match tries the fqn with and without its package, so that nodes match
// across packages.
func (m *fqnMatcher) match(n *Node, f *flatFQN) bool {
	fqn := n.FQN
	if len(fqn) == 0 {
		return false
	}
	// The name checks look at the end of the fqn, which is the same with
	// or without the package.
	if n.ResourceType == "model" && n.Version != "" {
		if len(fqn) >= 2 && (fqn[len(fqn)-2] == m.sel || fqn[len(fqn)-2]+"_"+fqn[len(fqn)-1] == m.lastTwo) {
			return true
		}
	} else if fqn[len(fqn)-1] == m.sel {
		return true
	}
	return m.prefix(f, 0) || len(fqn) > 1 && m.prefix(f, f.scope)
}

// prefix matches the selector's parts against the flat fqn parts from
// base on: equal parts up to the first wildcard, then a glob over the rest.
func (m *fqnMatcher) prefix(f *flatFQN, base int) bool {
	if len(f.starts)-base < len(m.parts) {
		return false
	}
	for i, part := range m.parts {
		if i == m.wild {
			return m.tail.match(f.joined[f.starts[base+i]:])
		}
		if f.part(base+i) != part {
			return false
		}
	}
	return true
}

func searchTag(g *Graph, c *criteria, out bitset) error {
	pattern := newGlob(c.value)
	each(g, out, func(n *Node) bool { return slices.ContainsFunc(n.Tags, pattern.match) })
	return nil
}

func searchGroup(g *Graph, c *criteria, out bitset) error {
	each(g, out, func(n *Node) bool {
		if !isParsed(n) && n.ResourceType != "metric" && n.ResourceType != "semantic_model" && n.ResourceType != "saved_query" {
			return false
		}
		grp := n.Group
		if grp == "" {
			grp, _ = n.config()["group"].(string)
		}
		return grp != "" && grp == c.value
	})
	return nil
}

func searchAccess(g *Graph, c *criteria, out bitset) error {
	each(g, out, func(n *Node) bool {
		if n.ResourceType != "model" {
			return false
		}
		access := n.Access
		if access == "" {
			access = "protected" // dbt's default for models
		}
		return access == c.value
	})
	return nil
}

// searchSource takes source_name, source_name.table or
// package.source_name.table, each part a pattern.
func searchSource(g *Graph, c *criteria, out bitset) error {
	pkg, src, table := "*", "*", "*"
	switch parts := strings.Split(c.value, "."); len(parts) {
	case 1:
		src = parts[0]
	case 2:
		src, table = parts[0], parts[1]
	case 3:
		pkg, src, table = parts[0], parts[1], parts[2]
	default:
		return errorf(c.raw, "invalid source selector value %q: sources must be of the form ${source_name}, ${source_name}.${target_name} or ${package_name}.${source_name}.${target_name}", c.value)
	}
	pkgGlob, srcGlob, tableGlob := newGlob(pkg), newGlob(src), newGlob(table)
	each(g, out, func(n *Node) bool {
		return isSource(n) && pkgGlob.match(n.Package) && srcGlob.match(n.SourceName) && tableGlob.match(n.Name)
	})
	return nil
}

// searchNamed serves the methods that select one kind of resource by name
// or package.name: exposure, metric, semantic_model, saved_query,
// unit_test.
func searchNamed(kind string) searchFunc {
	return func(g *Graph, c *criteria, out bitset) error {
		pkg, name := "*", ""
		switch parts := strings.Split(c.value, "."); len(parts) {
		case 1:
			name = parts[0]
		case 2:
			pkg, name = parts[0], parts[1]
		default:
			return errorf(c.raw, "invalid %s selector value %q: it must be of the form ${%s_name} or ${package_name}.${%s_name}", kind, c.value, kind, kind)
		}
		pkgGlob, nameGlob := newGlob(pkg), newGlob(name)
		each(g, out, func(n *Node) bool {
			return n.ResourceType == kind && pkgGlob.match(n.Package) && nameGlob.match(n.Name)
		})
		return nil
	}
}

// searchPath selects the nodes whose file is, or lies under, a path the
// glob pattern matches, relative to the project root.
func searchPath(g *Graph, c *criteria, out bitset) error {
	pp, err := compilePathPattern(c.value)
	if err != nil {
		err.(*Error).Spec = c.raw
		return err
	}
	each(g, out, func(n *Node) bool { return n.Path != "" && pp.matchPath(n.Path) })
	return nil
}

// searchFile matches the file name, with or without its extension.
func searchFile(g *Graph, c *criteria, out bitset) error {
	pattern := newGlob(c.value)
	each(g, out, func(n *Node) bool {
		if n.Path == "" {
			return false
		}
		name := path.Base(n.Path)
		return pattern.match(name) || pattern.match(stem(name))
	})
	return nil
}

// stem is Python's PurePath.stem: the name without its last suffix.
func stem(name string) string {
	i := strings.LastIndex(name, ".")
	if i <= 0 || i == len(name)-1 {
		return name
	}
	return name[:i]
}

func searchPackage(g *Graph, c *criteria, out bitset) error {
	pattern := newGlob(c.value)
	each(g, out, func(n *Node) bool { return pattern.match(n.Package) })
	return nil
}

// searchConfig follows the method's arguments down the config
// (config.meta.owner) and compares the value found with dbt's rules: equal
// strings, a list containing the string, or "true"/"false" for booleans.
// Severity compares case-insensitively. Numbers never match, as in dbt,
// where "4" is not 4.
func searchConfig(g *Graph, c *criteria, out bitset) error {
	caseless := len(c.args) == 1 && c.args[0] == "severity"
	sameString := func(v any) bool {
		s, ok := v.(string)
		if caseless {
			return ok && strings.EqualFold(s, c.value)
		}
		return ok && s == c.value
	}
	upper := strings.ToUpper(c.value)
	each(g, out, func(n *Node) bool {
		switch n.ResourceType {
		case "exposure", "metric", "semantic_model", "saved_query":
			return false
		}
		v, ok := descend(n.config(), c.args)
		if !ok {
			return false
		}
		if list, ok := asList(v); ok {
			for _, e := range list {
				if sameString(e) || upper == "TRUE" && pyEqual(e, 1) || upper == "FALSE" && pyEqual(e, 0) {
					return true
				}
			}
			return false
		}
		b, isBool := v.(bool)
		return sameString(v) || upper == "TRUE" && isBool && b || upper == "FALSE" && isBool && !b
	})
	return nil
}

// descend returns config[args[0]][args[1]]...; with no arguments there is
// nothing a string could equal.
func descend(cfg map[string]any, args []string) (any, bool) {
	if len(args) == 0 {
		return nil, false
	}
	var v any = cfg
	for _, a := range args {
		switch m := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = m[a]; !ok {
				return nil, false
			}
		case map[string]string:
			var ok bool
			if v, ok = m[a]; !ok {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return v, true
}

func asList(v any) ([]any, bool) {
	switch l := v.(type) {
	case []any:
		return l, true
	case []string:
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// pyEqual reports whether v == n in Python, where True == 1 and
// False == 0; it decides "True in [...]".
func pyEqual(v any, n int) bool {
	switch x := v.(type) {
	case bool:
		return x == (n == 1)
	case int:
		return x == n
	case int64:
		return x == int64(n)
	case float64:
		return x == float64(n)
	}
	return false
}

func searchTestName(g *Graph, c *criteria, out bitset) error {
	pattern := newGlob(c.value)
	each(g, out, func(n *Node) bool {
		return n.ResourceType == "test" && n.TestName != "" && pattern.match(n.TestName)
	})
	return nil
}

func searchTestType(g *Graph, c *criteria, out bitset) error {
	var keep func(*Node) bool
	switch c.value {
	case "generic", "schema":
		keep = func(n *Node) bool { return n.ResourceType == "test" && n.TestType == "generic" }
	case "singular":
		keep = func(n *Node) bool { return n.ResourceType == "test" && n.TestType == "singular" }
	case "data":
		keep = func(n *Node) bool { return n.ResourceType == "test" }
	case "unit":
		keep = func(n *Node) bool { return n.ResourceType == "unit_test" }
	default:
		return errorf(c.raw, `invalid test type selector %q: expected "generic", "singular", "unit" or "data"`, c.value)
	}
	each(g, out, keep)
	return nil
}

// nodeTypes is dbt's NodeType enum, which resource_type: accepts.
var nodeTypes = []string{
	"analysis", "doc", "exposure", "fixture", "group", "macro", "metric", "model",
	"operation", "rpc", "saved_query", "seed", "semantic_model", "snapshot", "source",
	"sql_operation", "test", "unit_test",
}

func searchResourceType(g *Graph, c *criteria, out bitset) error {
	if !slices.Contains(nodeTypes, c.value) {
		return errorf(c.raw, "invalid resource_type selector %q; expected one of %s", c.value, strings.Join(nodeTypes, ", "))
	}
	each(g, out, func(n *Node) bool { return n.ResourceType == c.value })
	return nil
}

func searchVersion(g *Graph, c *criteria, out bitset) error {
	var keep func(v, latest string) bool
	switch c.value {
	case "latest":
		keep = func(v, latest string) bool { return v != "" && compareVersions(v, latest) == 0 }
	case "prerelease":
		keep = func(v, latest string) bool { return v != "" && latest != "" && compareVersions(v, latest) > 0 }
	case "old":
		keep = func(v, latest string) bool { return v != "" && latest != "" && compareVersions(v, latest) < 0 }
	case "none":
		keep = func(v, _ string) bool { return v == "" }
	default:
		return errorf(c.raw, `invalid version type selector %q: expected one of "latest", "prerelease", "old" or "none"`, c.value)
	}
	for i, n := range g.nodes {
		if n.ResourceType == "model" && keep(n.Version, g.latest[i]) {
			out.set(i)
		}
	}
	return nil
}

func needsState(_ *Graph, c *criteria, _ bitset) error {
	return errorf(c.raw, "the %s method compares with the artifacts of an earlier run (--state), which gmodel does not support yet", c.method)
}
