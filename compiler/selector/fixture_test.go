package selector

import (
	"slices"
	"strings"
	"testing"
)

// jaffleNodes is a graph modelled on dbt's jaffle_shop: three seeds, a
// source, staging and mart models, jaffle_shop's schema tests, a source
// test, a singular test, an exposure, and a disabled model.
//
//	raw_customers ─> stg_customers ─┐
//	raw.orders (source) ─> stg_orders ─┼─> customers ─┐
//	raw_payments ─> stg_payments ───┴─> orders ────┴─> weekly_kpis (exposure)
//	raw_orders (seed, unused)
func jaffleNodes() []*Node {
	const pkg = "jaffle_shop"
	seed := func(name string) *Node {
		return &Node{
			UniqueID: "seed." + pkg + "." + name, Name: name, ResourceType: "seed", Package: pkg,
			FQN: []string{pkg, name}, Path: "seeds/" + name + ".csv",
			Config: map[string]any{"materialized": "seed", "enabled": true},
		}
	}
	model := func(dir, name string, cfg map[string]any, tags []string, deps ...string) *Node {
		cfg["enabled"] = true
		return &Node{
			UniqueID: "model." + pkg + "." + name, Name: name, ResourceType: "model", Package: pkg,
			FQN: []string{pkg, dir, name}, Path: "models/" + dir + "/" + name + ".sql",
			Tags: tags, Config: cfg, DependsOn: deps,
		}
	}
	test := func(dir, name, testName, severity string, tags []string, deps ...string) *Node {
		return &Node{
			UniqueID: "test." + pkg + "." + name + ".a1b2c3", Name: name, ResourceType: "test", Package: pkg,
			FQN: []string{pkg, dir, name}, Path: "models/" + dir + "/schema.yml", Tags: tags,
			Config:   map[string]any{"materialized": "test", "severity": severity, "enabled": true},
			TestType: "generic", TestName: testName, DependsOn: deps,
		}
	}
	const (
		stgCustomers = "model.jaffle_shop.stg_customers"
		stgOrders    = "model.jaffle_shop.stg_orders"
		stgPayments  = "model.jaffle_shop.stg_payments"
		customers    = "model.jaffle_shop.customers"
		orders       = "model.jaffle_shop.orders"
		rawOrders    = "source.jaffle_shop.raw.orders"
	)
	staging := func() map[string]any { return map[string]any{"materialized": "view"} }
	nodes := []*Node{
		seed("raw_customers"), seed("raw_orders"), seed("raw_payments"),
		{
			UniqueID: rawOrders, Name: "orders", ResourceType: "source", Package: pkg,
			FQN: []string{pkg, "raw", "orders"}, Path: "models/staging/sources.yml",
			Tags: []string{"raw"}, Config: map[string]any{"enabled": true}, SourceName: "raw",
		},
		model("staging", "stg_customers", staging(), []string{"staging"}, "seed.jaffle_shop.raw_customers"),
		model("staging", "stg_orders", staging(), []string{"staging"}, rawOrders),
		model("staging", "stg_payments", staging(), []string{"staging", "finance"}, "seed.jaffle_shop.raw_payments"),
		model("marts", "customers", map[string]any{
			"materialized": "table",
			"meta":         map[string]any{"owner": "growth", "contains_pii": true},
		}, []string{"nightly"}, stgCustomers, stgOrders, stgPayments),
		model("marts", "orders", map[string]any{
			"materialized": "incremental",
			"unique_key":   []any{"order_id"},
			"grants":       map[string]any{"select": []any{"reporter", "analysts"}},
			"transient":    false,
			"threads":      4,
		}, []string{"nightly", "finance"}, stgOrders, stgPayments),
		{
			UniqueID: "model.jaffle_shop.legacy_orders", Name: "legacy_orders", ResourceType: "model", Package: pkg,
			FQN: []string{pkg, "legacy", "legacy_orders"}, Path: "models/legacy/legacy_orders.sql",
			Tags: []string{"nightly"}, Config: map[string]any{"materialized": "table", "enabled": false},
			DependsOn: []string{stgOrders},
		},
		{
			UniqueID: "exposure.jaffle_shop.weekly_kpis", Name: "weekly_kpis", ResourceType: "exposure", Package: pkg,
			FQN: []string{pkg, "weekly_kpis"}, Path: "models/marts/exposures.yml",
			DependsOn: []string{customers, orders},
		},

		test("marts", "unique_customers_customer_id", "unique", "ERROR", nil, customers),
		test("marts", "not_null_customers_customer_id", "not_null", "ERROR", nil, customers),
		test("marts", "unique_orders_order_id", "unique", "ERROR", []string{"critical"}, orders),
		test("marts", "not_null_orders_order_id", "not_null", "ERROR", nil, orders),
		test("marts", "not_null_orders_customer_id", "not_null", "ERROR", nil, orders),
		test("marts", "relationships_orders_customer_id", "relationships", "ERROR", nil, orders, customers),
		test("marts", "accepted_values_orders_status", "accepted_values", "warn", nil, orders),
		test("marts", "not_null_orders_amount", "not_null", "ERROR", nil, orders),
		test("marts", "not_null_orders_credit_card_amount", "not_null", "ERROR", nil, orders),
		test("marts", "not_null_orders_coupon_amount", "not_null", "ERROR", nil, orders),
		test("marts", "not_null_orders_bank_transfer_amount", "not_null", "ERROR", nil, orders),
		test("marts", "not_null_orders_gift_card_amount", "not_null", "ERROR", nil, orders),
		test("staging", "unique_stg_customers_customer_id", "unique", "ERROR", nil, stgCustomers),
		test("staging", "not_null_stg_customers_customer_id", "not_null", "ERROR", nil, stgCustomers),
		test("staging", "unique_stg_orders_order_id", "unique", "ERROR", nil, stgOrders),
		test("staging", "not_null_stg_orders_order_id", "not_null", "ERROR", nil, stgOrders),
		test("staging", "accepted_values_stg_orders_status", "accepted_values", "warn", nil, stgOrders),
		test("staging", "unique_stg_payments_payment_id", "unique", "ERROR", nil, stgPayments),
		test("staging", "not_null_stg_payments_payment_id", "not_null", "ERROR", nil, stgPayments),
		test("staging", "accepted_values_stg_payments_payment_method", "accepted_values", "warn", nil, stgPayments),
		test("staging", "source_not_null_raw_orders_id", "not_null", "ERROR", []string{"raw"}, rawOrders),
		{
			UniqueID: "test.jaffle_shop.assert_payments_match_orders", Name: "assert_payments_match_orders",
			ResourceType: "test", Package: pkg, FQN: []string{pkg, "assert_payments_match_orders"},
			Path:   "tests/assert_payments_match_orders.sql",
			Config: map[string]any{"materialized": "test", "severity": "error", "enabled": true},
			// It compares orders with its own input, stg_payments.
			TestType: "singular", DependsOn: []string{orders, stgPayments},
		},
	}
	return nodes
}

// otherNodes covers what jaffle_shop lacks: packages, versions, access,
// groups, unit tests, snapshots and analyses.
func otherNodes() []*Node {
	model := func(pkg, name, version string, fqn ...string) *Node {
		id, file := "model."+pkg+"."+name, name
		if version != "" {
			id += ".v" + version
			file += "_v" + version
		}
		dirs := fqn[1 : len(fqn)-1]
		if version != "" {
			dirs = fqn[1 : len(fqn)-2]
		}
		return &Node{
			UniqueID: id, Name: name, ResourceType: "model", Package: pkg, FQN: fqn,
			Path:   "models/" + strings.Join(append(slices.Clone(dirs), file+".sql"), "/"),
			Config: map[string]any{"materialized": "view"}, Version: version,
		}
	}
	dim1 := model("jaffle_shop", "dim_customers", "1", "jaffle_shop", "marts", "dim_customers", "v1")
	dim2 := model("jaffle_shop", "dim_customers", "2", "jaffle_shop", "marts", "dim_customers", "v2")
	dim3 := model("jaffle_shop", "dim_customers", "3", "jaffle_shop", "marts", "dim_customers", "v3")
	for _, d := range []*Node{dim1, dim2, dim3} {
		d.LatestVersion = "2"
		d.Access = "public"
		d.Group = "growth"
	}
	plain := model("jaffle_shop", "plain", "", "jaffle_shop", "marts", "plain")
	plain.Access = "private"
	plain.Config["group"] = "finance"
	sessions := model("snowplow", "snowplow_sessions", "", "snowplow", "sessions", "snowplow_sessions")
	sessions.Path = "dbt_packages/snowplow/models/sessions/snowplow_sessions.sql"
	utilsHelper := model("snowplow_utils", "helper", "", "snowplow_utils", "helper")
	return []*Node{
		dim1, dim2, dim3, plain, sessions, utilsHelper,
		{
			UniqueID: "unit_test.jaffle_shop.dim_customers.test_dim_customers", Name: "test_dim_customers",
			ResourceType: "unit_test", Package: "jaffle_shop",
			FQN:  []string{"jaffle_shop", "marts", "dim_customers", "test_dim_customers"},
			Path: "models/marts/dim_customers.yml", DependsOn: []string{dim2.UniqueID},
		},
		{
			UniqueID: "snapshot.jaffle_shop.orders_snapshot", Name: "orders_snapshot", ResourceType: "snapshot",
			Package: "jaffle_shop", FQN: []string{"jaffle_shop", "orders_snapshot", "orders_snapshot"},
			Path: "snapshots/orders_snapshot.sql", Config: map[string]any{"materialized": "snapshot"},
		},
		{
			UniqueID: "analysis.jaffle_shop.explore", Name: "explore", ResourceType: "analysis",
			Package: "jaffle_shop", FQN: []string{"jaffle_shop", "analysis", "explore"},
			Path: "analyses/explore.sql", DependsOn: []string{plain.UniqueID},
		},
	}
}

// ids expands the short names tests use: a bare name is a model, test,
// exposure or seed of jaffle_shop found by name; "source:raw.orders" the
// source.
func ids(t *testing.T, g *Graph, short string) []string {
	t.Helper()
	if short == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Fields(short) {
		if s == "source:raw.orders" {
			out = append(out, "source.jaffle_shop.raw.orders")
			continue
		}
		found := ""
		for _, n := range g.nodes {
			if n.Name == s && n.ResourceType != "source" || n.UniqueID == s {
				if found != "" {
					t.Fatalf("short name %q is ambiguous", s)
				}
				found = n.UniqueID
			}
		}
		if found == "" {
			t.Fatalf("no node named %q", s)
		}
		out = append(out, found)
	}
	return out
}
