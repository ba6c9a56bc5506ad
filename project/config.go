package project

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Config keys dbt knows, per resource type. A project may use others (dbt
// accepts custom configs); these lists serve checks and suggestions.
var (
	nodeConfigKeys = []string{
		"enabled", "tags", "meta", "docs", "group", "access",
		"pre-hook", "post-hook", "database", "schema", "alias",
		"persist_docs", "full_refresh", "grants", "event_time",
	}
	athenaConfigKeys = []string{
		"external_location", "partitioned_by", "bucketed_by", "bucket_count",
		"table_type", "format", "write_compression", "field_delimiter",
		"s3_data_dir", "s3_data_naming", "s3_tmp_table_dir", "lf_tags_config",
		"lf_inherited_tags", "lf_grants", "force_batch", "native_drop",
		"table_properties", "ha", "partitions_limit", "temp_schema",
		"seed_by_insert", "seed_s3_upload_args", "work_group",
	}
	postgresConfigKeys = []string{"indexes", "unlogged"}

	configKeys = map[string][]string{
		"models": concat(nodeConfigKeys, athenaConfigKeys, postgresConfigKeys, []string{
			"materialized", "sql_header", "on_configuration_change", "on_schema_change",
			"unique_key", "incremental_strategy", "incremental_predicates", "contract",
			"batch_size", "lookback", "begin", "concurrent_batches", "packages",
			"column_types", "quoting", "freshness",
		}),
		"seeds": concat(nodeConfigKeys, athenaConfigKeys, postgresConfigKeys, []string{
			"quote_columns", "column_types", "delimiter", "materialized",
		}),
		"snapshots": concat(nodeConfigKeys, athenaConfigKeys, postgresConfigKeys, []string{
			"materialized", "strategy", "unique_key", "updated_at", "check_cols",
			"target_schema", "target_database", "snapshot_meta_column_names",
			"invalidate_hard_deletes", "hard_deletes", "dbt_valid_to_current",
			"sql_header",
		}),
		"tests": {
			"enabled", "tags", "meta", "group", "database", "schema", "alias",
			"severity", "where", "limit", "warn_if", "error_if", "store_failures",
			"store_failures_as", "fail_calc", "materialized",
		},
		"sources":  {"enabled", "tags", "meta", "event_time", "freshness", "loaded_at_field", "loaded_at_query", "quoting"},
		"analyses": {"enabled", "tags", "meta", "docs", "group"},
	}

	// dictConfigs are merged key by key rather than replaced.
	dictConfigs = map[string]bool{
		"meta": true, "docs": true, "column_types": true, "persist_docs": true,
		"quoting": true, "contract": true, "labels": true,
	}
)

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, s := range l {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// ConfigKeys returns the config keys dbt (and the postgres and athena
// adapters) know for a resource type ("models", "seeds", "snapshots",
// "tests", "sources", "analyses"), sorted. Other types give nil.
func ConfigKeys(kind string) []string {
	if kind == "data_tests" {
		kind = "tests"
	}
	keys := slices.Clone(configKeys[kind])
	slices.Sort(keys)
	return keys
}

// normalizeConfigKey strips dbt's "+" and spells hooks one way.
func normalizeConfigKey(k string) string {
	if strings.HasPrefix(k, "+") {
		k = strings.TrimSpace(k[1:])
	}
	switch k {
	case "pre_hook":
		return "pre-hook"
	case "post_hook":
		return "post-hook"
	}
	return k
}

// tree decodes one config tree of the project file. At each level, as in
// dbt, a key is a config when it starts with "+" or when its value is not a
// mapping; a key with a mapping value is a child level (a package, folder or
// node name). A dict-valued config (meta, docs, persist_docs...) therefore
// needs its "+" here, as dbt documents.
func (l *loader) tree(d *decoder, at pair, kind string) *ConfigTree {
	t := &ConfigTree{Configs: NewOrderedMap(), Children: map[string]*ConfigTree{}, Pos: d.pos(at.key)}
	pairs, ok := d.mapping(at.val, "'"+at.name+"'")
	if !ok || !d.spend(1) {
		return t
	}
	for _, kv := range pairs {
		switch {
		case strings.HasPrefix(kv.name, "+"):
			d.setConfig(t.Configs, kv)
		case resolveAlias(kv.val).Kind == yaml.MappingNode:
			t.Children[kv.name] = l.tree(d, kv, kind)
		case isNull(kv.val):
			t.Children[kv.name] = &ConfigTree{Configs: NewOrderedMap(), Children: map[string]*ConfigTree{}, Pos: d.pos(kv.key)}
		default:
			d.setConfig(t.Configs, kv)
		}
	}
	return t
}

// configMap decodes a `config:` block of schema YAML.
func (d *decoder) configMap(n *yaml.Node, what string) *OrderedMap {
	pairs, ok := d.mapping(n, what)
	if !ok {
		return NewOrderedMap()
	}
	m := NewOrderedMap()
	for _, kv := range pairs {
		d.setConfig(m, kv)
	}
	return m
}

// setConfig decodes one config value into m, normalising the key and the
// value's shape (hooks and tags become lists) and checking the types of the
// configs whose type is certain.
func (d *decoder) setConfig(m *OrderedMap, kv pair) {
	key := normalizeConfigKey(kv.name)
	what := "config '" + key + "'"
	v := kv.val
	var val any
	switch key {
	case "pre-hook", "post-hook":
		val = d.hookList(v, what)
	case "tags":
		tags, _ := d.strList(v, what)
		val = toAnyList(tags)
	case "enabled", "full_refresh", "store_failures", "quote_columns":
		if isNull(v) {
			val = nil
		} else if b, ok := d.boolean(v, what); ok {
			val = b
		} else {
			return
		}
	case "materialized", "schema", "alias", "database", "severity", "strategy", "incremental_strategy", "on_schema_change":
		if resolveAlias(v).Kind != yaml.ScalarNode {
			d.errorf(v, "%s must be a string, not %s", what, kindName(v))
			return
		}
		if !isNull(v) {
			val = resolveAlias(v).Value
		}
	default:
		if dictConfigs[key] || key == "grants" {
			if !isNull(v) && resolveAlias(v).Kind != yaml.MappingNode {
				d.errorf(v, "%s must be a mapping, not %s", what, kindName(v))
				return
			}
		}
		val = d.value(v)
	}
	if _, dup := m.Get(key); dup && (key == "pre-hook" || key == "post-hook") {
		// "pre-hook" and "pre_hook" both given: keep both, in order.
		prev, _ := m.Get(key)
		val = append(listify(prev), listify(val)...)
	}
	m.SetPos(key, val, d.pos(kv.key))
}

// hookList decodes a pre-hook/post-hook value into a list of SQL strings and
// {sql, transaction} maps, unrendered.
func (d *decoder) hookList(n *yaml.Node, what string) []any {
	var out []any
	for _, h := range d.hooks(n, what) {
		if h.Transaction {
			out = append(out, h.SQL)
			continue
		}
		m := NewOrderedMap()
		m.SetPos("sql", h.SQL, h.Pos)
		m.SetPos("transaction", false, h.Pos)
		out = append(out, m)
	}
	if out == nil {
		out = []any{}
	}
	return out
}

func toAnyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// listify makes a list of a config value: nil is empty, a scalar is one item.
func listify(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	case []string:
		return toAnyList(v)
	}
	return []any{v}
}

// ConfigFor returns the project-file configs that apply to the node with
// the given fqn (fqn[0] is the package name, the last item the node name)
// for a resource kind: "models", "seeds", "tests" (or "data_tests"),
// "snapshots", "sources", "analyses", or one of OtherConfigs' keys. Levels
// are merged from the top down with MergeConfig. The result is a fresh map
// (never nil) the caller may change.
func (p *Project) ConfigFor(kind string, fqn []string) *OrderedMap {
	out := NewOrderedMap()
	var t *ConfigTree
	switch kind {
	case "models":
		t = p.Models
	case "seeds":
		t = p.Seeds
	case "tests", "data_tests":
		t = p.Tests
	case "snapshots":
		t = p.Snapshots
	case "sources":
		t = p.SourceConfigs
	case "analyses":
		t = p.Analyses
	default:
		t = p.OtherConfigs[kind]
	}
	if t == nil {
		return out
	}
	MergeConfig(out, t.Configs)
	for _, level := range fqn {
		child := t.Children[level]
		if child == nil {
			break
		}
		MergeConfig(out, child.Configs)
		t = child
	}
	return out
}

// MergeConfig merges src into dst the way dbt merges configs from less to
// more specific: a later value replaces an earlier one, except that tags are
// a union in order, pre-hook and post-hook are appended, meta, docs,
// column_types, persist_docs, quoting, contract and labels are merged key by
// key, and grants are merged key by key with "+privilege" keys appending to
// the grantee list. dst must not be nil; src is not changed, nor shared.
func MergeConfig(dst, src *OrderedMap) {
	if src == nil {
		return
	}
	for _, rawKey := range src.Keys {
		key := normalizeConfigKey(rawKey)
		v := cloneValue(src.Values[rawKey])
		pos, hasPos := src.Pos[rawKey]
		old, had := dst.Get(key)
		switch {
		case key == "tags":
			merged := slices.Clone(listify(old))
			for _, t := range listify(v) {
				if !slices.Contains(merged, t) {
					merged = append(merged, t)
				}
			}
			if merged == nil {
				merged = []any{}
			}
			v = merged
		case key == "pre-hook" || key == "post-hook":
			v = append(slices.Clone(listify(old)), listify(v)...)
			if v.([]any) == nil {
				v = []any{}
			}
		case key == "grants":
			v = mergeGrants(old, v)
		case dictConfigs[key] && had:
			om, ok1 := old.(*OrderedMap)
			nm, ok2 := v.(*OrderedMap)
			if ok1 && ok2 {
				merged := om.Clone()
				for _, k := range nm.Keys {
					if p, ok := nm.Pos[k]; ok {
						merged.SetPos(k, nm.Values[k], p)
					} else {
						merged.Set(k, nm.Values[k])
					}
				}
				v = merged
			}
		}
		if hasPos {
			dst.SetPos(key, v, pos)
		} else {
			dst.Set(key, v)
		}
	}
}

// mergeGrants is dbt's "dict key append": {"+select": [b]} adds b to the
// select grantees; {"select": [b]} replaces them.
func mergeGrants(old, v any) any {
	nm, ok := v.(*OrderedMap)
	if !ok {
		return v
	}
	out := NewOrderedMap()
	if om, ok := old.(*OrderedMap); ok {
		for _, k := range om.Keys {
			out.Set(strings.TrimPrefix(k, "+"), cloneValue(om.Values[k]))
		}
	}
	for _, k := range nm.Keys {
		if name, ok := strings.CutPrefix(k, "+"); ok {
			prev, _ := out.Get(name)
			out.Set(name, append(slices.Clone(listify(prev)), listify(nm.Values[k])...))
			continue
		}
		out.Set(k, nm.Values[k])
	}
	return out
}
