package compiler

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/gmodel/gmodel/compiler/jinja"
	"github.com/gmodel/gmodel/project"
)

// om builds an OrderedMap from key/value pairs.
func om(kv ...any) *project.OrderedMap {
	m := &project.OrderedMap{Values: make(map[string]any, len(kv)/2)}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		m.Keys = append(m.Keys, k)
		m.Values[k] = kv[i+1]
	}
	return m
}

// defaultConfig is dbt's config for a resource type before any project,
// YAML or config() setting, in the manifest's key order.
func defaultConfig(rt string) *project.OrderedMap {
	switch rt {
	case Test:
		return om("enabled", true, "alias", nil, "schema", "dbt_test__audit", "database", nil,
			"tags", []any{}, "meta", om(), "group", nil, "materialized", "test", "severity", "ERROR",
			"store_failures", nil, "store_failures_as", nil, "where", nil, "limit", nil,
			"fail_calc", "count(*)", "warn_if", "!= 0", "error_if", "!= 0")
	}
	mat := "view"
	switch rt {
	case Seed:
		mat = "seed"
	case Snapshot:
		mat = "snapshot"
	}
	m := om("enabled", true, "alias", nil, "schema", nil, "database", nil,
		"tags", []any{}, "meta", om(), "group", nil, "materialized", mat,
		"incremental_strategy", nil, "batch_size", nil, "lookback", 1, "begin", nil,
		"persist_docs", om(), "post-hook", []any{}, "pre-hook", []any{}, "quoting", om(),
		"column_types", om(), "full_refresh", nil, "unique_key", nil, "on_schema_change", "ignore",
		"on_configuration_change", "apply", "grants", om(), "packages", []any{},
		"docs", om("show", true, "node_color", nil), "contract", om("enforced", false, "alias_types", true),
		"event_time", nil, "concurrent_batches", nil)
	switch rt {
	case Model:
		m.Keys = append(m.Keys, "access")
		m.Values["access"] = "protected"
	case Seed:
		m.Keys = append(m.Keys, "delimiter")
		m.Values["delimiter"] = ","
		m.Keys = append(m.Keys, "quote_columns")
		m.Values["quote_columns"] = nil
	case Snapshot:
		for _, k := range []string{"strategy", "target_schema", "target_database", "updated_at", "check_cols", "snapshot_meta_column_names", "dbt_valid_to_current"} {
			m.Keys = append(m.Keys, k)
			m.Values[k] = nil
		}
	}
	return m
}

// fqnFor is dbt's fully qualified name: project, the folders under the
// resource path, then the node name.
func (c *compiler) fqnFor(f *project.File, name string, extra ...string) []string {
	fqn := []string{c.p.Name}
	fqn = append(fqn, extra...)
	rel := trimDir(f.Path, f.Dir)
	if dir := path.Dir(rel); dir != "." {
		fqn = append(fqn, strings.Split(dir, "/")...)
	}
	return append(fqn, name)
}

func (c *compiler) newNode(rt string, f *project.File, name string, fqn []string) *Node {
	n := &Node{index: len(c.nodes)}
	c.initNode(n, rt, f, name, fqn)
	c.nodes = append(c.nodes, n)
	return n
}

// initNode fills a zeroed node for a file.
func (c *compiler) initNode(n *Node, rt string, f *project.File, name string, fqn []string) {
	// dbt strips file contents before parsing; so do we, remembering how
	// far the text moved so errors still point at the file's own lines.
	raw := strings.TrimSpace(f.Content)
	lead := f.Content[:len(f.Content)-len(strings.TrimLeftFunc(f.Content, unicode.IsSpace))]
	if raw == "" {
		lead = ""
	}
	n.UniqueID = rt + "." + c.p.Name + "." + name
	n.Name = name
	n.ResourceType = rt
	n.PackageName = c.p.Name
	n.Path = trimDir(f.Path, f.Dir)
	n.OriginalFilePath = f.Path
	n.FQN = fqn
	n.Checksum = f.Checksum
	n.RawCode = raw
	n.lineShift = strings.Count(lead, "\n")
	n.Language = "sql"
	n.Pos = project.Pos{File: f.Path, Line: 1, Col: 1}
}

// discoverNodes creates the nodes of models, seeds, snapshots, analyses and
// singular tests and parses their templates.
func (c *compiler) discoverNodes() {
	// One node per file, made in parallel and allocated together.
	kinds := []struct {
		rt    string
		files []*project.File
		extra []string // fqn folders before the file's own
	}{
		{Model, c.p.ModelFiles, nil},
		{Seed, c.p.SeedFiles, nil},
		{Analysis, c.p.AnalysisFiles, []string{"analysis"}},
		{Test, c.p.TestFiles, nil},
	}
	total := 0
	for _, k := range kinds {
		total += len(k.files)
	}
	slab := make([]Node, total)
	base := len(c.nodes)
	c.nodes = slices.Grow(c.nodes, total)
	for _, k := range kinds {
		first := len(c.nodes) - base
		for i := range k.files {
			c.nodes = append(c.nodes, &slab[first+i])
		}
		// The workers are the first to touch the slab's memory.
		c.parallel(len(k.files), func(i int) {
			f, n := k.files[i], &slab[first+i]
			n.index = base + first + i
			c.initNode(n, k.rt, f, f.Name(), c.fqnFor(f, f.Name(), k.extra...))
			switch k.rt {
			case Seed:
				n.RawCode = ""
			default:
				n.templated = true
			}
		})
	}
	// Snapshots: one node per {% snapshot %} block.
	for _, f := range c.p.SnapshotFiles {
		t, err := c.env.Parse(f.Path, f.Content)
		if err != nil {
			c.addJinjaErr(f.Path, err, "")
			continue
		}
		found := false
		for _, b := range t.Blocks() {
			if b.Kind != "snapshot" {
				continue
			}
			found = true
			fqn := c.fqnFor(f, f.Name())
			fqn = append(fqn, b.Name)
			n := c.newNode(Snapshot, f, b.Name, fqn)
			n.tmpl = b.Sub
			n.templated = true
			n.RawCode = b.Body
			n.Pos = project.Pos{File: f.Path, Line: b.Line, Col: b.Col}
		}
		if !found {
			c.addErr(project.Pos{File: f.Path, Line: 1, Col: 1}, "snapshot file has no {% snapshot name %} block",
				"wrap the snapshot's SQL in {% snapshot my_snapshot %}...{% endsnapshot %}")
		}
	}

	// Names must be unique among ref() targets and among tests. Most names
	// have one node: those lists are cut from one array, each capped so a
	// second node copies.
	seenTests := map[string]*Node{}
	if len(c.byName) == 0 {
		c.byName = make(map[string][]*Node, len(c.nodes))
	}
	one := make([]*Node, len(c.nodes))
	for i, n := range c.nodes {
		switch n.ResourceType {
		case Model, Seed, Snapshot:
			prev := c.byName[n.Name]
			for _, other := range prev {
				if other.Version == n.Version {
					c.addErr(n.Pos, fmt.Sprintf("two nodes are named '%s': %s and %s", n.Name, other.OriginalFilePath, n.OriginalFilePath),
						"ref() needs unique names: rename one of the files")
				}
			}
			if prev == nil {
				one[i] = n
				c.byName[n.Name] = one[i : i+1 : i+1]
			} else {
				c.byName[n.Name] = append(prev, n)
			}
		case Test, Analysis:
			key := n.ResourceType + "." + n.Name
			if other := seenTests[key]; other != nil {
				c.addErr(n.Pos, fmt.Sprintf("two %s nodes are named '%s': %s and %s", n.ResourceType, n.Name, other.OriginalFilePath, n.OriginalFilePath), "rename one of the files")
			}
			seenTests[key] = n
		}
	}
	c.applyPatches()
	c.parallel(len(c.nodes), func(i int) { c.baseConfig(c.nodes[i]) })
}

// applyPatches attaches schema YAML entries to their nodes.
func (c *compiler) applyPatches() {
	var patched []*Node
	apply := func(patches []*project.Patch, rt string) {
		if len(patches) == 0 {
			return
		}
		byName := make(map[string]*Node, len(patches))
		for _, n := range c.nodes {
			if n.ResourceType == rt {
				byName[n.Name] = n
			}
		}
		for _, p := range patches {
			n := byName[p.Name]
			if n == nil {
				var all []string
				for k := range byName {
					all = append(all, k)
				}
				msg := fmt.Sprintf("%s '%s' is described in YAML but there is no such %s", rt, p.Name, rt)
				if s := didYouMean(p.Name, all); s != "" {
					msg += fmt.Sprintf("; did you mean '%s'?", s)
				}
				c.addWarning(p.Pos, msg)
				continue
			}
			if n.patch != nil {
				c.addErr(p.Pos, fmt.Sprintf("%s '%s' is described twice: here and at %s:%d", rt, p.Name, n.patch.Pos.File, n.patch.Pos.Line),
					"keep one entry for it in the schema YAML files")
				continue
			}
			n.patch = p
			patched = append(patched, n)
		}
	}
	apply(c.p.ModelPatches, Model)
	apply(c.p.SeedPatches, Seed)
	apply(c.p.SnapshotPatches, Snapshot)
	apply(c.p.AnalysisPatches, Analysis)
	// Rendering the descriptions is each node's own work.
	c.parallel(len(patched), func(i int) {
		n := patched[i]
		p := n.patch
		n.PatchPath = c.p.Name + "://" + p.Pos.File
		n.Description = c.renderDesc(p.Description, descPos(p.DescriptionPos, p.Pos))
		n.Columns = c.renderColumns(p.Columns)
		n.Meta = p.Meta
		n.Docs = p.Docs
	})
}

// addWarning reports a non-fatal problem on the log.
func (c *compiler) addWarning(pos project.Pos, msg string) {
	if c.opts.Log == nil {
		return
	}
	c.logMu.Lock()
	fmt.Fprintf(c.opts.Log, "%s:%d:%d: warning: %s\n", pos.File, pos.Line, pos.Col, msg)
	c.logMu.Unlock()
}

func treeKind(rt string) string {
	switch rt {
	case Model:
		return "models"
	case Seed:
		return "seeds"
	case Snapshot:
		return "snapshots"
	case Test:
		return "tests"
	case Analysis:
		return "analyses"
	case SourceRT:
		return "sources"
	}
	return rt
}

// baseConfig sets a node's config from dbt's defaults, the project's config
// tree and its YAML patch; config() calls come on top after rendering.
// Nodes whose config comes from the same tree level alone share one map
// (most nodes of a big project): ownConfig copies it before any change.
func (c *compiler) baseConfig(n *Node) { c.baseConfigKeyed(n, "") }

// baseConfigKeyed is baseConfig with the key of the node's shared config
// (its kind and fqn but the last part) when the caller has it, else "".
func (c *compiler) baseConfigKeyed(n *Node, key string) {
	kind := treeKind(n.ResourceType)
	shareable := (n.patch == nil || n.patch.Config == nil || len(n.patch.Config.Keys) == 0) && !c.treeNamesNode(kind, n.FQN)
	if shareable {
		if key == "" {
			key = kind + "\x00" + strings.Join(n.FQN[:len(n.FQN)-1], "\x00")
		}
		c.cfgMu.Lock()
		cfg, ok := c.cfgCache[key]
		c.cfgMu.Unlock()
		if ok {
			n.Config, n.cfgShared = cfg, true
			return
		}
	}
	cfg := defaultConfig(n.ResourceType)
	if tree := c.p.ConfigFor(kind, n.FQN); tree != nil {
		project.MergeConfig(cfg, tree)
	}
	if n.patch != nil && n.patch.Config != nil {
		project.MergeConfig(cfg, n.patch.Config)
	}
	n.Config = cfg
	if shareable {
		c.cfgMu.Lock()
		if prev, ok := c.cfgCache[key]; ok {
			cfg = prev
		} else {
			c.cfgCache[key] = cfg
		}
		c.cfgMu.Unlock()
		n.Config, n.cfgShared = cfg, true
	}
}

// ownConfig gives the node a config map of its own before it is changed.
// A shallow copy is enough: MergeConfig replaces values, it never changes
// one in place.
func (n *Node) ownConfig() *project.OrderedMap {
	if n.cfgShared {
		c := n.Config
		own := &project.OrderedMap{
			Keys:   append(make([]string, 0, len(c.Keys)+4), c.Keys...),
			Values: maps.Clone(c.Values),
			Pos:    maps.Clone(c.Pos),
		}
		if own.Values == nil {
			own.Values = map[string]any{}
		}
		if own.Pos == nil {
			own.Pos = map[string]project.Pos{}
		}
		n.Config = own
		n.cfgShared = false
	}
	return n.Config
}

// treeNamesNode reports whether the project's config tree has a level for
// the node itself (`models: {p: {my_model: {...}}}`), which makes its
// config its own.
func (c *compiler) treeNamesNode(kind string, fqn []string) bool {
	var t *project.ConfigTree
	switch kind {
	case "models":
		t = c.p.Models
	case "seeds":
		t = c.p.Seeds
	case "tests":
		t = c.p.Tests
	case "snapshots":
		t = c.p.Snapshots
	case "analyses":
		t = c.p.Analyses
	}
	for i, level := range fqn {
		if t == nil {
			return false
		}
		t = t.Children[level]
		if i == len(fqn)-1 {
			return t != nil
		}
	}
	return false
}

// renderAll renders every templated node once. In the parse render (final
// false), refs print as placeholders and config() calls are recorded.
func (c *compiler) renderAll(final bool) {
	var todo []*Node
	for _, n := range c.nodes {
		if n.templated && !n.disabled {
			todo = append(todo, n)
		}
	}
	c.parallel(len(todo), func(i int) {
		c.render(todo[i], final)
	})
}

func (c *compiler) render(n *Node, final bool) {
	if final {
		// The parse render already recorded refs and configs.
		n.Refs, n.Sources, n.DependsOnNodes = nil, nil, nil
	}
	if n.tmpl == nil {
		// Parsing and the parse render go together so that a template is
		// dropped right after, unless it must be rendered again.
		t, err := c.env.Parse(n.OriginalFilePath, n.RawCode)
		if err != nil {
			c.addNodeErr(n, err, "")
			n.disabled = true
			return
		}
		n.tmpl = t
	}
	rc := c.newRenderCtx(n, final)
	out, err := n.tmpl.RenderVars(rc, rc)
	if err != nil {
		c.addNodeErr(n, err, "")
		return
	}
	n.rendered = out
	if !n.needsFinal || final {
		// Nothing else holds the template: its memory goes to the next
		// parse.
		n.tmpl.Release()
		n.tmpl = nil
	}
}

// finishConfigs merges config() calls into each node's config and resolves
// its database, schema and alias.
// Each node's config is its own, so the nodes are done in parallel; every
// config is final before any relation is resolved, as a project's
// generate_*_name macro may look at other nodes.
func (c *compiler) finishConfigs() {
	c.parallel(len(c.nodes), func(i int) {
		n := c.nodes[i]
		for _, call := range n.cfgCalls {
			if m, ok := fromJinja(call).(*project.OrderedMap); ok {
				project.MergeConfig(n.ownConfig(), normalizeConfigKeys(m))
			}
		}
		if en, ok := n.Config.Values["enabled"].(bool); ok && !en {
			n.disabled = true
		}
		n.Tags = configStrings(n.Config.Values["tags"])
	})
	c.parallel(len(c.nodes), func(i int) {
		if n := c.nodes[i]; !n.disabled {
			c.resolveRelation(n)
		}
	})
}

func normalizeConfigKeys(m *project.OrderedMap) *project.OrderedMap {
	for i, k := range m.Keys {
		switch k {
		case "pre_hook", "post_hook":
			nk := strings.Replace(k, "_", "-", 1)
			m.Keys[i] = nk
			m.Values[nk] = m.Values[k]
			delete(m.Values, k)
		}
	}
	return m
}

func configStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	case []string:
		return x
	}
	return []string{}
}

func configString(cfg *project.OrderedMap, key string) (string, bool) {
	if cfg == nil {
		return "", false
	}
	v, ok := cfg.Values[key]
	if !ok || v == nil {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		s = fmt.Sprint(v)
	}
	return s, true
}

// resolveRelation computes database, schema and alias with
// generate_database_name, generate_schema_name and generate_alias_name
// (the project's overrides when it has them) and the relation name.
func (c *compiler) resolveRelation(n *Node) {
	custom := func(key string) jinja.Value {
		if s, ok := configString(n.Config, key); ok {
			return s
		}
		return nil
	}
	db, err := c.generateName("database", custom("database"), n)
	if err == nil {
		n.Database = db
		var schema string
		schema, err = c.generateName("schema", custom("schema"), n)
		if err == nil {
			n.Schema = schema
			var alias string
			alias, err = c.generateName("alias", custom("alias"), n)
			n.Alias = alias
		}
	}
	if err != nil {
		c.addJinjaErr(n.OriginalFilePath, err, "resolving the relation of "+n.UniqueID)
		return
	}
	if n.IsRelational() {
		n.RelationName = c.dialect.render(n.Database, n.Schema, n.Alias)
	}
}

// generateName runs generate_<kind>_name. Unless the project overrides the
// macro (directly or through dispatch), dbt's default logic runs in Go.
func (c *compiler) generateName(kind string, custom jinja.Value, n *Node) (string, error) {
	if !c.nameMacroOverridden(kind) {
		s, _ := custom.(string)
		switch kind {
		case "database":
			if custom == nil {
				return c.opts.Target.Database, nil
			}
			return strings.TrimSpace(s), nil
		case "schema":
			if custom == nil {
				return c.opts.Target.Schema, nil
			}
			return c.opts.Target.Schema + "_" + strings.TrimSpace(s), nil
		case "alias":
			if custom != nil && s != "" {
				return strings.TrimSpace(s), nil
			}
			if n.Version != "" {
				return n.Name + "_v" + strings.ReplaceAll(n.Version, ".", "_"), nil
			}
			return n.Name, nil
		}
	}
	m, _ := c.lookupMacro("generate_" + kind + "_name")
	rc := &renderCtx{c: c, node: n, final: true}
	v, err := c.callMacro(rc, m, []jinja.Value{custom, &nodeObj{n: n, rc: rc}})
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(jinja.ToString(v)), nil
}

// nameMacros records, once per compile, which of generate_database_name,
// generate_schema_name and generate_alias_name the project overrides
// (directly or through dispatch): generateName asks for every node.
type nameMacros struct {
	once                    sync.Once
	database, schema, alias bool
}

func (c *compiler) nameMacroOverridden(kind string) bool {
	nm := &c.nameMacros
	nm.once.Do(func() {
		over := func(kind string) bool {
			macro := "generate_" + kind + "_name"
			return c.macros[macro] != nil || c.macros["default__"+macro] != nil || c.macros[c.dialect.Type+"__"+macro] != nil
		}
		nm.database, nm.schema, nm.alias = over("database"), over("schema"), over("alias")
	})
	switch kind {
	case "database":
		return nm.database
	case "schema":
		return nm.schema
	}
	return nm.alias
}

// callMacro calls a macro outside any template, with the node's context.
func (c *compiler) callMacro(rc *renderCtx, m jinja.Value, args []jinja.Value) (jinja.Value, error) {
	st := c.env.NewState(c.nodeRenderVars(rc), rc)
	return jinja.CallValue(st, m, args, jinja.NewDict())
}

// loadSources creates a source node per table of every `sources:` entry.
func (c *compiler) loadSources() {
	for _, s := range c.p.Sources {
		for _, t := range s.Tables {
			key := s.Name + "." + t.Name
			if prev := c.sources[key]; prev != nil {
				c.addErr(t.Pos, fmt.Sprintf("source table '%s.%s' is declared twice: here and at %s:%d", s.Name, t.Name, prev.Pos.File, prev.Pos.Line), "")
				continue
			}
			ident := t.Identifier
			if ident == "" {
				ident = t.Name
			}
			schema := s.Schema
			if schema == "" {
				schema = s.Name
			}
			db := s.Database
			if db == "" {
				db = c.opts.Target.Database
			}
			sn := &SourceNode{
				UniqueID:         "source." + c.p.Name + "." + s.Name + "." + t.Name,
				Name:             t.Name,
				SourceName:       s.Name,
				PackageName:      c.p.Name,
				Path:             t.Pos.File,
				OriginalFilePath: t.Pos.File,
				FQN:              append(c.sourceFQNPrefix(t.Pos.File), s.Name, t.Name),
				Database:         db,
				Schema:           schema,
				Identifier:       ident,
				Description:      c.renderDesc(t.Description, descPos(t.DescriptionPos, t.Pos)),
				SourceDesc:       c.renderDesc(s.Description, descPos(s.DescriptionPos, s.Pos)),
				Loader:           s.Loader,
				LoadedAtField:    firstNonEmpty(t.LoadedAtField, s.LoadedAtField),
				Freshness:        firstMap(t.Freshness, s.Freshness),
				Columns:          c.renderColumns(t.Columns),
				Meta:             t.Meta,
				SourceMeta:       s.Meta,
				Tags:             unionStrings(s.Tags, t.Tags),
				External:         t.External,
				Pos:              t.Pos,
				def:              t,
			}
			cfg := om("enabled", true, "event_time", nil)
			if tree := c.p.ConfigFor("sources", sn.FQN); tree != nil {
				project.MergeConfig(cfg, tree)
			}
			if s.Config != nil {
				project.MergeConfig(cfg, s.Config)
			}
			if t.Config != nil {
				project.MergeConfig(cfg, t.Config)
			}
			sn.Config = cfg
			if en, ok := cfg.Values["enabled"].(bool); ok && !en {
				continue
			}
			sn.RelationName = c.dialect.render(sn.Database, sn.Schema, sn.Identifier)
			c.sources[key] = sn
			c.srcList = append(c.srcList, sn)
		}
	}
}

// sourceFQNPrefix is the project plus the folders of the YAML file under
// its model path, as dbt builds source fqns.
func (c *compiler) sourceFQNPrefix(file string) []string {
	fqn := []string{c.p.Name}
	for _, mp := range c.p.ModelPaths {
		if strings.HasPrefix(file, mp+"/") {
			rel := file[len(mp)+1:]
			if dir := path.Dir(rel); dir != "." {
				fqn = append(fqn, strings.Split(dir, "/")...)
			}
			break
		}
	}
	return fqn
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func firstMap(ms ...*project.OrderedMap) *project.OrderedMap {
	for _, m := range ms {
		if m != nil {
			return m
		}
	}
	return nil
}

func unionStrings(a, b []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range append(append([]string{}, a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// addNodeErr records a template error of a node, moving its line back to
// where it is in the file (the template is the stripped file).
func (c *compiler) addNodeErr(n *Node, err error, what string) {
	e := c.jinjaError(n.OriginalFilePath, err, what)
	if e.Pos.File == n.OriginalFilePath && e.Pos.Line > 0 {
		e.Pos.Line += n.lineShift
	}
	c.add(e)
}

// renderDesc renders a YAML description that uses Jinja (usually
// {{ doc('name') }}), as dbt does while parsing.
func (c *compiler) renderDesc(desc string, pos project.Pos) string {
	if !strings.Contains(desc, "{{") && !strings.Contains(desc, "{%") {
		return desc
	}
	t, err := c.env.Parse(pos.File, desc)
	if err == nil {
		var out string
		out, err = t.Render(nil, nil)
		if err == nil {
			return out
		}
	}
	msg := err.Error()
	hint := ""
	if je, ok := err.(*jinja.Error); ok {
		msg = je.Msg
		var he *hintError
		if errors.As(je, &he) {
			hint = he.hint
		}
	}
	c.addErr(pos, "description: "+msg, hint)
	return desc
}

// renderColumns returns the columns with rendered descriptions, copying
// only when something needs rendering.
func (c *compiler) renderColumns(cols []*project.Column) []*project.Column {
	var out []*project.Column
	for i, col := range cols {
		d := c.renderDesc(col.Description, descPos(col.DescriptionPos, col.Pos))
		if d == col.Description && out == nil {
			continue
		}
		if out == nil {
			out = append([]*project.Column(nil), cols...)
		}
		cp := *col
		cp.Description = d
		out[i] = &cp
	}
	if out == nil {
		return cols
	}
	return out
}

func descPos(p, fallback project.Pos) project.Pos {
	if p.File != "" {
		return p
	}
	return fallback
}
