package compiler

import (
	"strings"
	"testing"
)

// The expected names come from dbt's synthesize_generic_test_names run in
// Python on the same arguments.
func TestSynthesizeTestNames(t *testing.T) {
	cases := []struct {
		testType, target string
		args             []any // key/value pairs for om()
		column           string
		short, full      string
	}{
		{"unique", "orders", nil, "id", "unique_orders_id", "unique_orders_id"},
		{"accepted_values", "orders", []any{"values", []any{"placed", "shipped", "completed", "return_pending", "returned"}, "quote", true}, "status",
			"accepted_values_orders_39fdd741fa8e960152504329ac7cc8ab",
			"accepted_values_orders_status__True__placed__shipped__completed__return_pending__returned"},
		{"relationships", "orders", []any{"to", "ref('customers')", "field", "id"}, "customer_id",
			"relationships_orders_customer_id__id__ref_customers_", "relationships_orders_customer_id__id__ref_customers_"},
		{"source_not_null", "raw_orders", nil, "", "source_not_null_raw_orders_", "source_not_null_raw_orders_"},
		// column_name given both ways: the column wins, as in dbt's kwargs.
		{"unique", "orders", []any{"column_name", "other", "model", "ignored"}, "id", "unique_orders_id", "unique_orders_id"},
		{"dbt_utils_expression_is_true", "m", []any{"expression", "a >= b", "where", om("x", 1, "y", []any{"p q", nil})}, "",
			"dbt_utils_expression_is_true_m_a_b__1___p_q_None_", "dbt_utils_expression_is_true_m_a_b__1___p_q_None_"},
	}
	for _, tc := range cases {
		var args = om(tc.args...)
		if tc.args == nil {
			args = nil
		}
		short, full := synthesizeTestNames(tc.testType, tc.target, args, tc.column)
		if short != tc.short || full != tc.full {
			t.Errorf("synthesizeTestNames(%s, %s, %v, %q) = %q, %q; want %q, %q", tc.testType, tc.target, tc.args, tc.column, short, full, tc.short, tc.full)
		}
	}
}

// The expected strings are Python's repr() of the same strings.
func TestPyRepr(t *testing.T) {
	cases := map[string]string{
		"abc":            `'abc'`,
		"it's":           `"it's"`,
		`a'b"c`:          `'a\'b"c'`,
		"tab\t\n\r":      `'tab\t\n\r'`,
		"\x01\x7f":       `'\x01\x7f'`,
		"é":              `'é'`,
		`a\b`:            `'a\\b'`,
		"":               `''`,
		"{{ ref('x') }}": `"{{ ref('x') }}"`,
		"\x00中文 ok\\":    `'\x00中文 ok\\'`,
		// Not valid UTF-8 (Python strings cannot be): the byte becomes U+FFFD.
		"a\xffb": "'a\uFFFDb'",
	}
	for in, want := range cases {
		if got := pyRepr(in); got != want {
			t.Errorf("pyRepr(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestGenericTestDefinedTwice(t *testing.T) {
	p := writeProject(t, map[string]string{
		"models/m.sql": "select 1 as id",
		"models/schema.yml": "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        tests:\n" +
			"          - unique\n          - not_null\n          - unique\n",
	})
	_, err := compileProject(t, p)
	if err == nil {
		t.Fatal("compile succeeded; want an error for the repeated test")
	}
	want := "models/schema.yml:9:13: test 'unique_m_id' is defined twice (also at models/schema.yml:7)"
	if got := err.Error(); !strings.Contains(got, want) || strings.Count(got, "defined twice") != 1 {
		t.Errorf("error = %q, want one %q", got, want)
	}
}

func TestGenericTestsAttachAndDepend(t *testing.T) {
	m := mustCompile(t, map[string]string{
		"models/sub/a.sql": "select 1 as id",
		"models/sub/b.sql": "select id from {{ ref('a') }}",
		"models/sub/schema.yml": "version: 2\nmodels:\n  - name: b\n    columns:\n      - name: id\n        tests:\n" +
			"          - unique\n          - relationships:\n              to: ref('a')\n              field: id\n",
	})
	byName := map[string]*Node{}
	for _, n := range m.Nodes {
		byName[n.Name] = n
	}
	u := byName["unique_b_id"]
	if u == nil || u.AttachedNode != "model.p.b" || strings.Join(u.FQN, ".") != "p.sub.unique_b_id" ||
		strings.Join(u.DependsOnNodes, ",") != "model.p.b" {
		t.Fatalf("unique_b_id = %+v", u)
	}
	r := byName["relationships_b_id__id__ref_a_"]
	if r == nil || strings.Join(r.DependsOnNodes, ",") != "model.p.a,model.p.b" {
		t.Fatalf("relationships test = %+v", r)
	}
	if got := strings.Join(m.ChildMap["model.p.a"], ","); got != "model.p.b,"+r.UniqueID {
		t.Errorf("children of a = %s", got)
	}
	if got := strings.Join(m.ParentMap[r.UniqueID], ","); got != "model.p.a,model.p.b" {
		t.Errorf("parents of the relationships test = %s", got)
	}
}
