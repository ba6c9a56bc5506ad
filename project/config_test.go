package project

import (
	"strings"
	"testing"
)

// om builds an OrderedMap from key, value pairs.
func om(kv ...any) *OrderedMap {
	m := NewOrderedMap()
	for i := 0; i+1 < len(kv); i += 2 {
		m.Set(kv[i].(string), kv[i+1])
	}
	return m
}

func TestMergeConfig(t *testing.T) {
	tests := []struct {
		name     string
		dst, src *OrderedMap
		want     string
	}{
		{"later wins", om("materialized", "view", "schema", "a"), om("materialized", "table"),
			`{materialized: "table", schema: "a"}`},
		{"tags union in order", om("tags", []any{"a", "b"}), om("tags", []any{"b", "c"}),
			`{tags: ["a", "b", "c"]}`},
		{"tag string is one item", om("tags", "a"), om("tags", "b"), `{tags: ["a", "b"]}`},
		{"tags into nothing", om(), om("tags", "a"), `{tags: ["a"]}`},
		{"hooks appended", om("pre-hook", []any{"a"}), om("pre_hook", "b", "+post-hook", "c"),
			`{pre-hook: ["a", "b"], post-hook: ["c"]}`},
		{"meta merged", om("meta", om("a", 1, "b", 2)), om("meta", om("b", 3, "c", 4)),
			`{meta: {a: 1, b: 3, c: 4}}`},
		{"docs merged", om("docs", om("show", true)), om("docs", om("node_color", "red")),
			`{docs: {show: true, node_color: "red"}}`},
		{"persist_docs merged", om("persist_docs", om("relation", true)), om("persist_docs", om("columns", true)),
			`{persist_docs: {relation: true, columns: true}}`},
		{"column_types merged", om("column_types", om("a", "int")), om("column_types", om("b", "text")),
			`{column_types: {a: "int", b: "text"}}`},
		{"quoting merged", om("quoting", om("identifier", false)), om("quoting", om("schema", true)),
			`{quoting: {identifier: false, schema: true}}`},
		{"contract merged", om("contract", om("enforced", true)), om("contract", om("alias_types", false)),
			`{contract: {enforced: true, alias_types: false}}`},
		{"grants replace", om("grants", om("select", []any{"a"})), om("grants", om("select", []any{"b"})),
			`{grants: {select: ["b"]}}`},
		{"grants plus appends", om("grants", om("select", []any{"a"}, "insert", []any{"x"})), om("grants", om("+select", []any{"b"})),
			`{grants: {select: ["a", "b"], insert: ["x"]}}`},
		{"grants plus into nothing", om(), om("grants", om("+select", "b")), `{grants: {select: ["b"]}}`},
		{"non-map meta replaces", om("meta", om("a", 1)), om("meta", nil), `{meta: null}`},
		{"nil src", om("a", 1), nil, `{a: 1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			MergeConfig(tt.dst, tt.src)
			if got := fmtValue(tt.dst); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestMergeConfigDoesNotShare(t *testing.T) {
	src := om("meta", om("a", 1), "tags", []any{"x"})
	dst := NewOrderedMap()
	MergeConfig(dst, src)
	dst.Values["meta"].(*OrderedMap).Set("b", 2)
	dst.Values["tags"].([]any)[0] = "changed"
	if got := fmtValue(src); got != `{meta: {a: 1}, tags: ["x"]}` {
		t.Errorf("src changed to %s", got)
	}
}

func TestConfigKeys(t *testing.T) {
	for kind, want := range map[string][]string{
		"models":     {"materialized", "incremental_strategy", "partitioned_by", "pre-hook", "contract"},
		"seeds":      {"column_types", "quote_columns", "delimiter"},
		"snapshots":  {"strategy", "updated_at", "check_cols", "hard_deletes", "dbt_valid_to_current"},
		"tests":      {"severity", "warn_if", "store_failures"},
		"data_tests": {"severity"},
		"sources":    {"freshness", "loaded_at_field"},
	} {
		keys := ConfigKeys(kind)
		for _, k := range want {
			found := false
			for _, x := range keys {
				found = found || x == k
			}
			if !found {
				t.Errorf("ConfigKeys(%q) lacks %q", kind, k)
			}
		}
	}
	if ConfigKeys("nope") != nil {
		t.Error("unknown kind has keys")
	}
}

func TestParseHooks(t *testing.T) {
	hooks, err := ParseHooks([]any{"select 1", om("sql", "vacuum", "transaction", false)})
	if err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 2 || hooks[0].SQL != "select 1" || !hooks[0].Transaction || hooks[1].SQL != "vacuum" || hooks[1].Transaction {
		t.Errorf("hooks = %+v", hooks)
	}
	for _, bad := range []any{42, om("sql", 1), om("transaction", "no"), om("sqll", "x")} {
		if _, err := ParseHooks(bad); err == nil {
			t.Errorf("ParseHooks(%s) = nil error", fmtValue(bad))
		}
	}
}

func TestOrderedMap(t *testing.T) {
	m := om("a", 1, "b", 2, "c", 3)
	m.Delete("b")
	m.Set("a", 10)
	if got := fmtValue(m); got != "{a: 10, c: 3}" {
		t.Errorf("got %s", got)
	}
	var nilMap *OrderedMap
	if nilMap.Len() != 0 || nilMap.Clone() != nil {
		t.Error("nil map")
	}
	if _, ok := nilMap.Get("x"); ok {
		t.Error("nil map has a key")
	}
	nilMap.Delete("x")
	var zero OrderedMap
	zero.SetPos("k", "v", Pos{File: "f", Line: 1, Col: 2})
	if zero.Pos["k"].Line != 1 || !strings.Contains(fmtValue(&zero), "k") {
		t.Error("zero-value map")
	}
}
