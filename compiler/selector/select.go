package selector

import (
	"fmt"
	"slices"
	"strings"
)

// Options are the selection flags of one command.
type Options struct {
	// Select holds each --select/-s value; one value may itself hold
	// several space-separated specs, as in dbt.
	Select []string
	// Exclude holds each --exclude value, in the same grammar.
	Exclude []string
	// Selector is the --selector name, looked up in Selectors. When set,
	// Select and Exclude are ignored, as dbt ignores them.
	Selector string
	// Selectors is the parsed selectors.yml, or nil. Its default selector
	// (default: true) applies when Select, Exclude and Selector are all
	// empty.
	Selectors *Selectors
	// ResourceTypes is the --resource-type filter, applied last; empty
	// means all. "all" means all too, and "default" all but analyses, as in
	// dbt ls.
	ResourceTypes []string
	// IndirectSelection is eager (the default when empty), cautious,
	// buildable or empty.
	IndirectSelection string
	// DefaultAll selects everything when Select is empty, as dbt does for
	// most commands. Without it an empty Select selects nothing.
	DefaultAll bool
	// Warn, when set, receives dbt's warnings, such as a --select value
	// that matches no node.
	Warn func(msg string)
}

// Select returns the sorted unique IDs opts select in g. Errors are *Error
// values: a malformed spec, an unknown method or option value, or a
// selector that does not exist.
func Select(g *Graph, opts Options) ([]string, error) {
	if g == nil {
		g = NewGraph(nil)
	}
	mode := modeEager
	if opts.IndirectSelection != "" {
		var ok bool
		if mode, ok = parseIndirectMode(opts.IndirectSelection); !ok {
			return nil, errorf("", "invalid indirect selection mode %q; expected eager, cautious, buildable or empty", opts.IndirectSelection)
		}
	}
	keep, err := resourceTypeFilter(opts.ResourceTypes)
	if err != nil {
		return nil, err
	}
	e := &evaluator{g: g, mode: mode, selectors: opts.Selectors, warn: opts.Warn}
	root, err := e.rootSpec(opts)
	if err != nil {
		return nil, err
	}
	direct, _, err := e.eval(root)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, i := range direct.members() {
		if n := g.nodes[i]; keep(n.ResourceType) {
			ids = append(ids, n.UniqueID)
		}
	}
	return ids, nil // g.nodes is sorted by unique ID
}

// rootSpec picks the selection the way dbt's get_selection_spec does:
// --selector, else the default selector when no --select or --exclude was
// given, else --select minus --exclude.
func (e *evaluator) rootSpec(opts Options) (spec, error) {
	if opts.Selector != "" {
		if len(opts.Select) > 0 || len(opts.Exclude) > 0 {
			e.warnf("--select and --exclude are ignored when --selector is given")
		}
		sel, err := opts.Selectors.lookup(opts.Selector)
		if err != nil {
			return nil, err
		}
		e.stack = []string{sel.Name}
		return sel.spec, nil
	}
	if len(opts.Select) == 0 && len(opts.Exclude) == 0 {
		if name := opts.Selectors.Default(); name != "" {
			sel, err := opts.Selectors.lookup(name)
			if err != nil {
				return nil, err
			}
			e.stack = []string{sel.Name}
			return sel.spec, nil
		}
	}
	var include *group
	var err error
	switch {
	case len(opts.Select) > 0:
		include, err = parseUnion(opts.Select, true, e.mode)
	case opts.DefaultAll:
		include, err = parseUnion(defaultIncludes, false, e.mode)
	default:
		include = &group{op: opUnion, indirect: e.mode}
	}
	if err != nil {
		return nil, err
	}
	exclude, err := parseUnion(opts.Exclude, true, e.mode)
	if err != nil {
		return nil, err
	}
	return &group{op: opDifference, parts: []spec{include, exclude}, indirect: e.mode}, nil
}

// resourceTypeFilter validates --resource-type values.
func resourceTypeFilter(types []string) (func(string) bool, error) {
	if len(types) == 0 {
		return func(string) bool { return true }, nil
	}
	want := map[string]bool{}
	for _, t := range types {
		switch t {
		case "all":
			return func(string) bool { return true }, nil
		case "default":
			for _, d := range resourceTypes {
				want[d] = d != "analysis"
			}
		default:
			if !slices.Contains(resourceTypes, t) {
				return nil, errorf("", "invalid resource type %q; expected one of %s, default or all", t, strings.Join(resourceTypes, ", "))
			}
			want[t] = true
		}
	}
	return func(t string) bool { return want[t] }, nil
}

// resourceTypes are the values dbt's --resource-type accepts, plus
// operation for hooks.
var resourceTypes = []string{
	"analysis", "exposure", "metric", "model", "operation", "saved_query", "seed",
	"semantic_model", "snapshot", "source", "test", "unit_test",
}

// evaluator runs one selection. Like dbt's NodeSelector it resolves every
// spec to two sets: the nodes selected ("direct") and the tests held back
// by cautious or buildable selection ("indirect"), which a later set
// operation may still let in.
type evaluator struct {
	g         *Graph
	mode      indirectMode // --indirect-selection
	selectors *Selectors
	warn      func(string)
	stack     []string // selectors being evaluated, to catch cycles
}

func (e *evaluator) warnf(format string, args ...any) {
	if e.warn != nil {
		e.warn(fmt.Sprintf(format, args...))
	}
}

func (e *evaluator) eval(s spec) (direct, indirect bitset, err error) {
	switch s := s.(type) {
	case *criteria:
		return e.evalCriteria(s)
	case *group:
		return e.evalGroup(s)
	}
	return nil, nil, errorf("", "internal error: unknown spec %T", s)
}

// evalCriteria is dbt's get_nodes_from_criteria: match the method, add the
// graph operators' relatives, then add the tests of what was selected.
func (e *evaluator) evalCriteria(c *criteria) (bitset, bitset, error) {
	collected := newBitset(len(e.g.nodes))
	if c.method == "selector" {
		d, err := e.evalSelector(c)
		if err != nil {
			return nil, nil, err
		}
		collected = d
	} else if err := methods[c.method](e.g, c, collected); err != nil {
		return nil, nil, err
	}

	selected := collected.clone()
	if c.childrensParents {
		selected.or(e.g.selectChildrensParents(collected))
	}
	if c.parents {
		selected.or(e.g.selectParents(collected, c.parentsDepth))
	}
	if c.children {
		selected.or(e.g.selectChildren(collected, c.childrenDepth))
	}

	mode := c.indirect
	if mode == modeUnset {
		mode = e.mode
	}
	if mode == modeEmpty {
		return selected, newBitset(len(e.g.nodes)), nil
	}
	d, i := e.expand(selected, mode)
	return d, i, nil
}

// evalSelector resolves selector:name from the command line or from a
// string definition in selectors.yml.
func (e *evaluator) evalSelector(c *criteria) (bitset, error) {
	sel, err := e.selectors.lookup(c.value)
	if err != nil {
		err.(*Error).Spec = c.raw
		return nil, err
	}
	if slices.Contains(e.stack, sel.Name) {
		cycle := append(slices.Clone(e.stack), sel.Name)
		return nil, errorf(c.raw, "selectors refer to each other in a cycle: %s", strings.Join(cycle, " -> "))
	}
	e.stack = append(e.stack, sel.Name)
	defer func() { e.stack = e.stack[:len(e.stack)-1] }()
	d, _, err := e.eval(sel.spec)
	return d, err
}

// expand adds the tests whose parents were selected, dbt's
// expand_selection. Eager takes a test when any parent is selected;
// cautious when all are; buildable when all are selected or ancestors of
// the selection (sources count as buildable). Tests that fail the check
// are returned as indirect.
func (e *evaluator) expand(selected bitset, mode indirectMode) (bitset, bitset) {
	g := e.g
	direct := selected.clone()
	indirect := newBitset(len(g.nodes))
	var buildable bitset
	if mode == modeBuildable {
		buildable = g.selectParents(selected, -1)
		buildable.or(selected)
		buildable.or(g.sources)
	}
	seen := newBitset(len(g.nodes))
	for _, n := range selected.members() {
		for _, c := range g.children[n] {
			t := int(c)
			if !g.tests.has(t) || seen.has(t) {
				continue
			}
			seen.set(t)
			switch {
			case mode == modeEager || g.parentsIn(t, selected):
				direct.set(t)
			case mode == modeBuildable && g.parentsIn(t, buildable):
				direct.set(t)
			default:
				indirect.set(t)
			}
		}
	}
	return direct, indirect
}

// parentsIn reports whether every parent of node i is in set.
func (g *Graph) parentsIn(i int, set bitset) bool {
	for _, p := range g.parents[i] {
		if !set.has(int(p)) {
			return false
		}
	}
	return true
}

// evalGroup combines the parts' sets, dbt's select_nodes_recursively for a
// set operation: the selected sets are combined, and so are the selected
// plus held-back sets; held-back tests whose parents made it in are then
// let in.
func (e *evaluator) evalGroup(grp *group) (bitset, bitset, error) {
	n := len(e.g.nodes)
	if len(grp.parts) == 0 {
		return newBitset(n), newBitset(n), nil
	}
	var direct, all bitset
	for k, part := range grp.parts {
		d, i, err := e.eval(part)
		if err != nil {
			return nil, nil, err
		}
		i.or(d)
		if k == 0 {
			direct, all = d, i
			continue
		}
		switch grp.op {
		case opUnion:
			direct.or(d)
			all.or(i)
		case opIntersection:
			direct.and(d)
			all.and(i)
		case opDifference:
			direct.andNot(d)
			all.andNot(i)
		}
	}
	direct = e.incorporate(direct, all, grp.indirect)
	if grp.expectExists && direct.empty() {
		e.warnf("The selection criterion '%s' does not match any enabled nodes", grp.raw)
	}
	return direct, all, nil
}

// incorporate is dbt's incorporate_indirect_nodes.
func (e *evaluator) incorporate(direct, all bitset, mode indirectMode) bitset {
	if direct.equal(all) || (mode != modeCautious && mode != modeBuildable) {
		return direct
	}
	g := e.g
	selected := direct.clone()
	within := selected
	if mode == modeBuildable {
		within = g.selectParents(selected, -1)
		within.or(selected)
	}
	for _, t := range all.members() {
		if selected.has(t) || !g.tests.has(t) {
			continue
		}
		if g.parentsIn(t, within) {
			selected.set(t)
		}
	}
	return selected
}
