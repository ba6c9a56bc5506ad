package selector

import "testing"

// The expectations are Python's fnmatch.fnmatchcase results.
func TestFnmatch(t *testing.T) {
	for _, tc := range []struct {
		name, pattern string
		want          bool
	}{
		{"stg_orders", "stg_orders", true},
		{"stg_orders", "stg_*", true},
		{"stg_orders", "*", true},
		{"", "*", true},
		{"", "", true},
		{"a", "", false},
		{"jaffle_shop.staging.stg_orders", "*.stg_*", true},
		{"models/staging/x.sql", "models*sql", true}, // * crosses "/"
		{"stg_orders", "stg_order?", true},
		{"stg_orders", "stg_orders?", false},
		{"stg_orders", "stg_[a-p]rders", true},
		{"stg_orders", "stg_[!o]rders", false},
		{"stg_orders", "stg_[!p]rders", true},
		{"]", "[]]", true},   // ] first in a set is literal
		{"-", "[a-]", true},  // trailing - is literal
		{"b", "[a-]", false}, // ... and there is no range
		{"!", "[!]", false},  // "[!]" is unclosed: literal "[!]"
		{"[!]", "[!]", true}, //
		{"[abc", "[abc", true},
		{"a", "[z-a]", false}, // an empty range matches nothing
		{"Stg", "stg", false}, // case-sensitive
		{`a\b`, `a\b`, true},  // no escapes
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*a*a*a*c", false},
	} {
		if got := fnmatch(tc.name, tc.pattern); got != tc.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", tc.name, tc.pattern, got, tc.want)
		}
	}
}

func TestPathPattern(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"models", "models/staging/stg_orders.sql", true},
		{"models/staging", "models/staging/stg_orders.sql", true},
		{"models/staging/", "models/staging/stg_orders.sql", true},
		{"./models//staging", "models/staging/stg_orders.sql", true},
		{"models/stag", "models/staging/stg_orders.sql", false},
		{"models/*/stg_orders.sql", "models/staging/stg_orders.sql", true},
		{"models/*", "models/staging/stg_orders.sql", true},
		{"*", "seeds/raw.csv", true},
		{"models/stg_*", "models/staging/stg_orders.sql", false}, // * stays within a segment
		{"**/stg_orders.sql", "models/staging/stg_orders.sql", true},
		{"models/**", "models/staging/stg_orders.sql", true},
		{"models/**/**/**/x.sql", "models/x.sql", true},
		{"**/marts/**", "models/staging/stg_orders.sql", false},
		{"models/staging/stg_orders.sql/more", "models/staging/stg_orders.sql", false},
	} {
		pp, err := compilePathPattern(tc.pattern)
		if err != nil {
			t.Fatalf("compilePathPattern(%q): %v", tc.pattern, err)
		}
		if got := pp.matchPath(tc.path); got != tc.want {
			t.Errorf("path %q matches %q = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
	for _, bad := range []string{"", ".", "./", "/abs"} {
		if _, err := compilePathPattern(bad); err == nil {
			t.Errorf("compilePathPattern(%q) succeeded, want an error", bad)
		}
	}
}

func TestSpecParsing(t *testing.T) {
	for _, tc := range []struct {
		raw                         string
		method, value               string
		args                        []string
		at, parents, children       bool
		parentsDepth, childrenDepth int
	}{
		{raw: "orders", method: "fqn", value: "orders", parentsDepth: -1, childrenDepth: -1},
		{raw: "+orders", method: "fqn", value: "orders", parents: true, parentsDepth: -1, childrenDepth: -1},
		{raw: "3+orders+12", method: "fqn", value: "orders", parents: true, children: true, parentsDepth: 3, childrenDepth: 12},
		{raw: "@tag:x", method: "tag", value: "x", at: true, parentsDepth: -1, childrenDepth: -1},
		{raw: "@+tag:x", method: "tag", value: "x", at: true, parents: true, parentsDepth: -1, childrenDepth: -1},
		{raw: "config.meta.owner:a:b", method: "config", args: []string{"meta", "owner"}, value: "a:b", parentsDepth: -1, childrenDepth: -1},
		{raw: "models/a:b", method: "path", value: "models/a:b", parentsDepth: -1, childrenDepth: -1},
		{raw: "X.SQL", method: "file", value: "X.SQL", parentsDepth: -1, childrenDepth: -1},
		{raw: "x.py+", method: "file", value: "x.py", children: true, parentsDepth: -1, childrenDepth: -1},
		{raw: "orders+a", method: "fqn", value: "orders+a", parentsDepth: -1, childrenDepth: -1},
		{raw: "1@x", method: "fqn", value: "1@x", parentsDepth: -1, childrenDepth: -1},
		{raw: "", method: "fqn", value: "", parentsDepth: -1, childrenDepth: -1},
		{raw: "+", method: "fqn", value: "", parents: true, parentsDepth: -1, childrenDepth: -1},
	} {
		c, err := parseSpec(tc.raw)
		if err != nil {
			t.Errorf("parseSpec(%q): %v", tc.raw, err)
			continue
		}
		if c.method != tc.method || c.value != tc.value || len(c.args) != len(tc.args) ||
			c.childrensParents != tc.at || c.parents != tc.parents || c.children != tc.children ||
			c.parentsDepth != tc.parentsDepth || c.childrenDepth != tc.childrenDepth {
			t.Errorf("parseSpec(%q) = %+v", tc.raw, *c)
		}
		for i := range tc.args {
			if c.args[i] != tc.args[i] {
				t.Errorf("parseSpec(%q).args = %q, want %q", tc.raw, c.args, tc.args)
			}
		}
	}
}
