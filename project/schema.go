package project

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// schemaKeys are the top-level keys of a schema (properties) YAML file.
var schemaKeys = []string{
	"version", "models", "sources", "seeds", "snapshots", "analyses", "macros",
	"exposures", "metrics", "semantic_models", "saved_queries", "groups",
	"unit_tests", "data_tests",
}

// schemaRendered are the top-level keys whose strings are rendered at load
// time; the others are either unused by gmodel or rendered later.
var schemaRendered = map[string]bool{
	"models": true, "sources": true, "seeds": true, "snapshots": true,
	"analyses": true, "macros": true, "exposures": true,
}

// Keys allowed in each kind of entry.
var (
	patchKeys = map[string][]string{
		"models": {"name", "description", "config", "columns", "tests", "data_tests", "docs", "meta", "tags",
			"access", "group", "latest_version", "versions", "constraints", "deprecation_date", "time_spine"},
		"seeds":     {"name", "description", "config", "columns", "tests", "data_tests", "docs", "meta", "tags"},
		"snapshots": {"name", "description", "config", "columns", "tests", "data_tests", "docs", "meta", "tags", "relation"},
		"analyses":  {"name", "description", "config", "columns", "docs", "meta", "tags"},
		"macros":    {"name", "description", "arguments", "docs", "meta", "config"},
	}
	columnKeys = []string{"name", "description", "data_type", "quote", "meta", "tags", "tests", "data_tests",
		"constraints", "policy_tags", "granularity", "config"}
	argumentKeys = []string{"name", "type", "description"}
	sourceKeys   = []string{"name", "description", "database", "schema", "loader", "loaded_at_field", "loaded_at_query",
		"freshness", "quoting", "meta", "tags", "config", "overrides", "tables"}
	tableKeys = []string{"name", "identifier", "description", "loaded_at_field", "loaded_at_query", "freshness",
		"quoting", "external", "meta", "tags", "config", "columns", "tests", "data_tests"}
	exposureKeys = []string{"name", "label", "type", "owner", "depends_on", "description", "url", "maturity",
		"meta", "tags", "config"}
	// testConfigKeys may be written beside a test's arguments; they are
	// configs, not arguments.
	testConfigKeys = []string{"severity", "where", "limit", "warn_if", "error_if", "store_failures",
		"store_failures_as", "enabled", "tags", "meta", "fail_calc", "alias", "schema", "database"}
)

// quotedKeys holds the allowed keys of schema entries in quotes, the way
// messages name them, so that decoding an entry does not build the
// string for each of its keys.
var quotedKeys = func() map[string]string {
	m := map[string]string{}
	lists := [][]string{columnKeys, argumentKeys, sourceKeys, tableKeys, exposureKeys, testConfigKeys}
	for _, keys := range patchKeys {
		lists = append(lists, keys)
	}
	for _, keys := range lists {
		for _, k := range keys {
			m[k] = "'" + k + "'"
		}
	}
	return m
}()

// quotedKey is 'key', for messages.
func quotedKey(key string) string {
	if q, ok := quotedKeys[key]; ok {
		return q
	}
	return "'" + key + "'"
}

// singular names for messages
var kindNoun = map[string]string{
	"models": "model", "seeds": "seed", "snapshots": "snapshot", "analyses": "analysis", "macros": "macro",
}

// schemaFile decodes one properties file of the given number of nodes
// into the project.
func (l *loader) schemaFile(file string, root *yaml.Node, nodes int) {
	d := newDecoder(file, l.errs, l.opts.Render).sized(nodes)
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "a schema file must be a mapping with keys such as 'models' and 'sources', not %s", kindName(root))
		return
	}
	d.renderStrings(root, nil, func(path []string) bool {
		if !schemaRendered[path[0]] {
			return true
		}
		switch k := path[len(path)-1]; k {
		case "description", "tests", "data_tests":
			return true
		default:
			return isHookKey(k)
		}
	})
	for _, kv := range d.pairs(root) {
		switch kv.name {
		case "version":
			if n, ok := d.integer(kv.val, "'version'"); ok && n != 2 {
				d.errorHint(kv.val, "write 'version: 2', or leave it out", "schema file version %d is not supported", n)
			}
		case "models", "seeds", "snapshots", "analyses", "macros":
			l.patches(d, kv)
		case "sources":
			l.sources(d, kv.val)
		case "exposures":
			l.exposures(d, kv.val)
		case "metrics", "semantic_models", "saved_queries", "groups", "unit_tests", "data_tests":
			// dbt features gmodel does not run; accepted so projects load.
		default:
			d.unknownKey(kv, "a schema file", schemaKeys)
		}
	}
}

// entries returns the mapping items of a list of named entries, reporting
// items that are not mappings or have no name.
func (d *decoder) entries(n *yaml.Node, what string) []*yaml.Node {
	items, _ := d.list(n, "'"+what+"'")
	var out []*yaml.Node
	for _, it := range items {
		if resolveAlias(it).Kind != yaml.MappingNode {
			d.errorf(it, "each entry of '%s' must be a mapping with a 'name', not %s", what, kindName(it))
			continue
		}
		out = append(out, resolveAlias(it))
	}
	return out
}

// name decodes the required `name:` of an entry.
func (d *decoder) name(entry *yaml.Node, pairs []pair, noun string) (string, bool) {
	for _, kv := range pairs {
		if kv.name == "name" {
			s, ok := d.str(kv.val, "'name'")
			if ok && s == "" {
				d.errorf(kv.val, "%s name must not be empty", noun)
				return "", false
			}
			return s, ok
		}
	}
	d.errorf(entry, "%s entry has no 'name'", noun)
	return "", false
}

// patches decodes a `models:` (seeds, snapshots, analyses, macros) list.
func (l *loader) patches(d *decoder, kv pair) {
	kind := kv.name
	noun := kindNoun[kind]
	allowed := patchKeys[kind]
	for _, entry := range d.entries(kv.val, kind) {
		pairs := d.pairs(entry)
		name, ok := d.name(entry, pairs, noun)
		if !ok {
			continue
		}
		pt := &Patch{Name: name, Config: NewOrderedMap(), Pos: d.pos(entry)}
		var topConfig []pair // tags, access, group given beside config
		seenTests := ""
		for _, e := range pairs {
			what := quotedKey(e.name)
			switch e.name {
			case "name":
			case "description":
				pt.Description, _ = d.str(e.val, what)
				pt.DescriptionPos = d.pos(e.val)
			case "config":
				pt.Config = d.configMap(e.val, what)
			case "columns":
				pt.Columns = d.columns(e.val, kind != "analyses")
			case "tests", "data_tests":
				if seenTests != "" {
					d.errorf(e.key, "both 'tests' and 'data_tests' are set; use only 'data_tests'")
				}
				seenTests = e.name
				pt.Tests = d.tests(e.val)
			case "docs":
				pt.Docs = d.omap(e.val, what)
			case "meta":
				pt.Meta = d.omap(e.val, what)
			case "tags", "access", "group":
				topConfig = append(topConfig, e)
			case "latest_version":
				pt.LatestVersion = d.value(e.val)
			case "versions":
				for _, it := range d.entriesAny(e.val, "versions") {
					m, _ := d.value(it).(*OrderedMap)
					if _, ok := m.Get("v"); !ok {
						d.errorf(it, "each entry of 'versions' needs 'v'")
					}
					pt.Versions = append(pt.Versions, m)
				}
			case "constraints":
				pt.Constraints = d.rawList(e.val, what)
			case "deprecation_date":
				pt.DeprecationDate, _ = d.str(e.val, what)
			case "time_spine":
				pt.TimeSpine = d.omap(e.val, what)
			case "relation":
				pt.Relation, _ = d.str(e.val, what)
			case "arguments":
				pt.Arguments = d.arguments(e.val)
			default:
				d.unknownKey(e, withArticle(noun)+" entry", allowed)
				continue
			}
			if !slices.Contains(allowed, e.name) {
				d.unknownKey(e, withArticle(noun)+" entry", allowed)
			}
		}
		if len(topConfig) > 0 {
			// dbt reads these as configs; config: wins over them.
			top := NewOrderedMap()
			for _, e := range topConfig {
				d.setConfig(top, e)
			}
			MergeConfig(top, pt.Config)
			pt.Config = top
		}
		key := kind + ":" + name
		if first, dup := l.seen[key]; dup {
			d.errorHint(entry, "first described at "+first.String(), "%s '%s' is described twice", noun, name)
			continue
		}
		l.seen[key] = pt.Pos
		switch kind {
		case "models":
			l.p.ModelPatches = append(l.p.ModelPatches, pt)
		case "seeds":
			l.p.SeedPatches = append(l.p.SeedPatches, pt)
		case "snapshots":
			l.p.SnapshotPatches = append(l.p.SnapshotPatches, pt)
		case "analyses":
			l.p.AnalysisPatches = append(l.p.AnalysisPatches, pt)
		case "macros":
			l.p.MacroPatches = append(l.p.MacroPatches, pt)
		}
	}
}

func withArticle(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// entriesAny returns the mapping items of a list.
func (d *decoder) entriesAny(n *yaml.Node, what string) []*yaml.Node {
	items, _ := d.list(n, "'"+what+"'")
	var out []*yaml.Node
	for _, it := range items {
		if resolveAlias(it).Kind != yaml.MappingNode {
			d.errorf(it, "each entry of '%s' must be a mapping, not %s", what, kindName(it))
			continue
		}
		out = append(out, it)
	}
	return out
}

// rawList decodes a list of anything.
func (d *decoder) rawList(n *yaml.Node, what string) []any {
	items, _ := d.list(n, what)
	out := make([]any, 0, len(items))
	for _, it := range items {
		out = append(out, d.value(it))
	}
	return out
}

// columns decodes a `columns:` list.
func (d *decoder) columns(n *yaml.Node, testsAllowed bool) []*Column {
	var out []*Column
	seen := map[string]Pos{}
	for _, entry := range d.entries(n, "columns") {
		pairs := d.pairs(entry)
		name, ok := d.name(entry, pairs, "column")
		if !ok {
			continue
		}
		c := &Column{Name: name, Pos: d.pos(entry)}
		seenTests := ""
		for _, e := range pairs {
			what := quotedKey(e.name)
			switch e.name {
			case "name":
			case "description":
				c.Description, _ = d.str(e.val, what)
				c.DescriptionPos = d.pos(e.val)
			case "data_type":
				c.DataType, _ = d.str(e.val, what)
			case "quote":
				if !isNull(e.val) {
					if b, ok := d.boolean(e.val, what); ok {
						c.Quote = &b
					}
				}
			case "meta":
				c.Meta = mergeMaps(c.Meta, d.omap(e.val, what))
			case "tags":
				tags, _ := d.strList(e.val, what)
				c.Tags = appendNew(c.Tags, tags...)
			case "tests", "data_tests":
				if seenTests != "" {
					d.errorf(e.key, "both 'tests' and 'data_tests' are set; use only 'data_tests'")
				}
				seenTests = e.name
				c.Tests = d.tests(e.val)
			case "constraints":
				c.Constraints = d.rawList(e.val, what)
			case "policy_tags":
				c.PolicyTags, _ = d.strList(e.val, what)
			case "granularity":
				c.Granularity, _ = d.str(e.val, what)
			case "config":
				// dbt 1.10+: column meta and tags may sit under config.
				cfg := d.configMap(e.val, what)
				for _, k := range cfg.Keys {
					switch v := cfg.Values[k]; k {
					case "meta":
						if m, ok := v.(*OrderedMap); ok {
							c.Meta = mergeMaps(c.Meta, m)
						}
					case "tags":
						for _, t := range listify(v) {
							if s, ok := t.(string); ok {
								c.Tags = appendNew(c.Tags, s)
							}
						}
					}
				}
			default:
				d.unknownKey(e, "a column entry", columnKeys)
			}
		}
		if !testsAllowed && c.Tests != nil {
			d.errorf(entry, "columns of an analysis cannot have tests")
		}
		if first, dup := seen[strings.ToLower(name)]; dup {
			d.errorHint(entry, "first described at "+first.String(), "column '%s' is described twice", name)
			continue
		}
		seen[strings.ToLower(name)] = c.Pos
		out = append(out, c)
	}
	return out
}

func mergeMaps(a, b *OrderedMap) *OrderedMap {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	for _, k := range b.Keys {
		a.SetPos(k, b.Values[k], b.Pos[k])
	}
	return a
}

func appendNew(list []string, items ...string) []string {
	for _, s := range items {
		if !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}

// arguments decodes a macro's `arguments:` list.
func (d *decoder) arguments(n *yaml.Node) []*Column {
	var out []*Column
	for _, entry := range d.entries(n, "arguments") {
		pairs := d.pairs(entry)
		name, ok := d.name(entry, pairs, "argument")
		if !ok {
			continue
		}
		a := &Column{Name: name, Pos: d.pos(entry)}
		for _, e := range pairs {
			switch e.name {
			case "name":
			case "type":
				a.DataType, _ = d.str(e.val, "'type'")
			case "description":
				a.Description, _ = d.str(e.val, "'description'")
			default:
				d.unknownKey(e, "a macro argument", argumentKeys)
			}
		}
		out = append(out, a)
	}
	return out
}

// tests decodes a `tests:`/`data_tests:` list. An item is a test name
// (`- unique`), a one-key mapping from the test name to its arguments
// (`- accepted_values: {values: [a, b]}`), or a mapping with `test_name:`.
func (d *decoder) tests(n *yaml.Node) []*TestDef {
	items, _ := d.list(n, "'data_tests'")
	var out []*TestDef
	for _, it := range items {
		it = resolveAlias(it)
		t := &TestDef{Args: NewOrderedMap(), Config: NewOrderedMap(), Pos: d.pos(it)}
		switch it.Kind {
		case yaml.ScalarNode:
			if isNull(it) {
				d.errorf(it, "empty test entry")
				continue
			}
			t.Name = it.Value
		case yaml.MappingNode:
			pairs := d.pairs(it)
			var body []pair
			if i := slices.IndexFunc(pairs, func(p pair) bool { return p.name == "test_name" }); i >= 0 {
				name, ok := d.str(pairs[i].val, "'test_name'")
				if !ok || name == "" {
					d.errorf(pairs[i].val, "'test_name' must name a test")
					continue
				}
				t.Name = name
				body = slices.Delete(slices.Clone(pairs), i, i+1)
			} else {
				if len(pairs) != 1 {
					names := make([]string, len(pairs))
					for i, p := range pairs {
						names[i] = "'" + p.name + "'"
					}
					d.errorHint(it, "put each test in its own list item, e.g. '- not_null' and '- unique'",
						"a test entry must have exactly one key, the test's name; found %d: %s", len(pairs), strings.Join(names, ", "))
					continue
				}
				t.Name = pairs[0].name
				v := resolveAlias(pairs[0].val)
				switch {
				case isNull(v):
				case v.Kind == yaml.MappingNode:
					body = d.pairs(v)
				default:
					d.errorf(v, "the arguments of test '%s' must be a mapping, not %s", t.Name, kindName(v))
					continue
				}
			}
			var cfg *OrderedMap
			for _, e := range body {
				switch e.name {
				case "name":
					t.CustomName, _ = d.str(e.val, "'name'")
				case "description":
					t.Description, _ = d.str(e.val, "'description'")
				case "config":
					cfg = d.configMap(e.val, "'config'")
				case "arguments":
					args, _ := d.mapping(e.val, "'arguments'")
					for _, a := range args {
						t.Args.SetPos(a.name, d.value(a.val), d.pos(a.key))
					}
				default:
					if slices.Contains(testConfigKeys, e.name) {
						d.setConfig(t.Config, e)
					} else {
						t.Args.SetPos(e.name, d.value(e.val), d.pos(e.key))
					}
				}
			}
			MergeConfig(t.Config, cfg)
		default:
			d.errorf(it, "a test entry must be a test name or a mapping, not %s", kindName(it))
			continue
		}
		out = append(out, t)
	}
	return out
}

// sources decodes a `sources:` list.
func (l *loader) sources(d *decoder, n *yaml.Node) {
	for _, entry := range d.entries(n, "sources") {
		pairs := d.pairs(entry)
		name, ok := d.name(entry, pairs, "source")
		if !ok {
			continue
		}
		s := &Source{Name: name, Pos: d.pos(entry), Config: NewOrderedMap()}
		var tables *yaml.Node
		for _, e := range pairs {
			what := quotedKey(e.name)
			switch e.name {
			case "name":
			case "description":
				s.Description, _ = d.str(e.val, what)
				s.DescriptionPos = d.pos(e.val)
			case "database":
				s.Database, _ = d.str(e.val, what)
			case "schema":
				s.Schema, _ = d.str(e.val, what)
			case "loader":
				s.Loader, _ = d.str(e.val, what)
			case "loaded_at_field":
				s.LoadedAtField, _ = d.str(e.val, what)
			case "loaded_at_query":
				s.LoadedAtQuery, _ = d.str(e.val, what)
			case "freshness":
				s.Freshness = d.omap(e.val, what)
			case "quoting":
				s.Quoting = d.quoting(e.val, what)
			case "meta":
				s.Meta = d.omap(e.val, what)
			case "tags":
				s.Tags, _ = d.strList(e.val, what)
			case "config":
				s.Config = d.configMap(e.val, what)
			case "overrides":
				s.Overrides, _ = d.str(e.val, what)
			case "tables":
				tables = e.val
			default:
				d.unknownKey(e, "a source entry", sourceKeys)
			}
		}
		if s.Schema == "" {
			s.Schema = s.Name
		}
		for _, te := range d.entries(tables, "tables") {
			if t := l.sourceTable(d, s, te); t != nil {
				s.Tables = append(s.Tables, t)
			}
		}
		l.p.Sources = append(l.p.Sources, s)
	}
}

func (l *loader) sourceTable(d *decoder, s *Source, entry *yaml.Node) *SourceTable {
	pairs := d.pairs(entry)
	name, ok := d.name(entry, pairs, "source table")
	if !ok {
		return nil
	}
	t := &SourceTable{Name: name, Pos: d.pos(entry), Config: NewOrderedMap()}
	seenTests := ""
	for _, e := range pairs {
		what := quotedKey(e.name)
		switch e.name {
		case "name":
		case "identifier":
			t.Identifier, _ = d.str(e.val, what)
		case "description":
			t.Description, _ = d.str(e.val, what)
			t.DescriptionPos = d.pos(e.val)
		case "loaded_at_field":
			t.LoadedAtField, _ = d.str(e.val, what)
		case "loaded_at_query":
			t.LoadedAtQuery, _ = d.str(e.val, what)
		case "freshness":
			t.Freshness = d.omap(e.val, what)
		case "quoting":
			t.Quoting = d.quoting(e.val, what)
		case "external":
			t.External = d.omap(e.val, what)
		case "meta":
			t.Meta = d.omap(e.val, what)
		case "tags":
			t.Tags, _ = d.strList(e.val, what)
		case "config":
			t.Config = d.configMap(e.val, what)
		case "columns":
			t.Columns = d.columns(e.val, true)
		case "tests", "data_tests":
			if seenTests != "" {
				d.errorf(e.key, "both 'tests' and 'data_tests' are set; use only 'data_tests'")
			}
			seenTests = e.name
			t.Tests = d.tests(e.val)
		default:
			d.unknownKey(e, "a source table entry", tableKeys)
		}
	}
	if t.Identifier == "" {
		t.Identifier = t.Name
	}
	key := "source:" + s.Name + "." + t.Name
	if first, dup := l.seen[key]; dup {
		d.errorHint(entry, "first described at "+first.String(), "source table '%s.%s' is described twice", s.Name, t.Name)
		return nil
	}
	l.seen[key] = t.Pos
	return t
}

// exposures decodes an `exposures:` list.
func (l *loader) exposures(d *decoder, n *yaml.Node) {
	for _, entry := range d.entries(n, "exposures") {
		pairs := d.pairs(entry)
		name, ok := d.name(entry, pairs, "exposure")
		if !ok {
			continue
		}
		x := &Exposure{Name: name, Pos: d.pos(entry)}
		for _, e := range pairs {
			what := quotedKey(e.name)
			switch e.name {
			case "type":
				x.Type, _ = d.str(e.val, what)
			case "owner":
				x.Owner = d.omap(e.val, what)
			case "depends_on":
				x.DependsOn, _ = d.strList(e.val, what)
			default:
				if !slices.Contains(exposureKeys, e.name) {
					d.unknownKey(e, "an exposure entry", exposureKeys)
				}
			}
		}
		x.Raw, _ = d.value(entry).(*OrderedMap)
		l.p.Exposures = append(l.p.Exposures, x)
	}
}
