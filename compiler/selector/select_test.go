package selector

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// groups name sets of jaffle_shop nodes so that expectations stay short.
var groups = map[string]string{
	"$customerTests":    "unique_customers_customer_id not_null_customers_customer_id",
	"$orderTests":       "unique_orders_order_id not_null_orders_order_id not_null_orders_customer_id accepted_values_orders_status not_null_orders_amount not_null_orders_credit_card_amount not_null_orders_coupon_amount not_null_orders_bank_transfer_amount not_null_orders_gift_card_amount",
	"$stgCustomerTests": "unique_stg_customers_customer_id not_null_stg_customers_customer_id",
	"$stgOrderTests":    "unique_stg_orders_order_id not_null_stg_orders_order_id accepted_values_stg_orders_status",
	"$stgPaymentTests":  "unique_stg_payments_payment_id not_null_stg_payments_payment_id accepted_values_stg_payments_payment_method",
	"$staging":          "stg_customers stg_orders stg_payments",
	"$seeds":            "raw_customers raw_orders raw_payments",
	"$rel":              "relationships_orders_customer_id",
	"$singular":         "assert_payments_match_orders",
	"$sourceTest":       "source_not_null_raw_orders_id",
}

// expand turns an expectation into unique IDs. "$name" is a group; "ALL"
// is every node of the graph, and names after "-" are taken out of it.
func expand(t *testing.T, g *Graph, want string) []string {
	t.Helper()
	var add, remove []string
	target := &add
	for _, tok := range strings.Fields(want) {
		switch {
		case tok == "ALL":
			for _, n := range g.nodes {
				add = append(add, n.UniqueID)
			}
		case tok == "-":
			target = &remove
		case strings.HasPrefix(tok, "$"):
			names, ok := groups[tok]
			if !ok {
				t.Fatalf("unknown group %s", tok)
			}
			*target = append(*target, ids(t, g, names)...)
		default:
			*target = append(*target, ids(t, g, tok)...)
		}
	}
	out := slices.DeleteFunc(add, func(id string) bool { return slices.Contains(remove, id) })
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}

type selectCase struct {
	name     string
	opts     Options
	want     string // see expand
	wantErr  string // a substring of the error
	wantWarn string // a substring of a warning
}

func sel(specs ...string) Options { return Options{Select: specs} }

func (o Options) excluding(specs ...string) Options { o.Exclude = specs; return o }
func (o Options) mode(m string) Options             { o.IndirectSelection = m; return o }
func (o Options) types(ts ...string) Options        { o.ResourceTypes = ts; return o }
func (o Options) all() Options                      { o.DefaultAll = true; return o }

func TestSelectJaffleShop(t *testing.T) {
	g := NewGraph(jaffleNodes())
	runCases(t, g, []selectCase{
		// Methods, with dbt's default method.
		{name: "fqn by name", opts: sel("stg_orders"), want: "stg_orders $stgOrderTests"},
		{name: "fqn method explicit", opts: sel("fqn:stg_orders"), want: "stg_orders $stgOrderTests"},
		{name: "fqn directory", opts: sel("staging"), want: "$staging $stgCustomerTests $stgOrderTests $stgPaymentTests $sourceTest $singular"},
		{name: "fqn package and directory", opts: sel("jaffle_shop.staging"), want: "$staging $stgCustomerTests $stgOrderTests $stgPaymentTests $sourceTest $singular"},
		{name: "fqn directory and name", opts: sel("staging.stg_orders"), want: "stg_orders $stgOrderTests"},
		{name: "fqn full", opts: sel("jaffle_shop.staging.stg_orders"), want: "stg_orders $stgOrderTests"},
		{name: "fqn package alone selects all but sources", opts: sel("jaffle_shop"), want: "ALL - source:raw.orders"},
		{name: "fqn star", opts: sel("*"), want: "ALL - source:raw.orders"},
		{name: "fqn glob after directory", opts: sel("staging.stg_*"), want: "$staging $stgCustomerTests $stgOrderTests $stgPaymentTests $singular"},
		{name: "fqn glob across parts", opts: sel("*.stg_*"), want: "$staging $stgCustomerTests $stgOrderTests $stgPaymentTests $singular"},
		{name: "fqn glob on a bare name matches from the package, as in dbt", opts: sel("stg_*"), want: "", wantWarn: "'stg_*' does not match any enabled nodes"},
		{name: "fqn question mark", opts: sel("staging.stg_order?"), want: "stg_orders $stgOrderTests"},
		{name: "fqn bracket set", opts: sel("staging.stg_[co]*"), want: "stg_customers stg_orders $stgCustomerTests $stgOrderTests"},
		{name: "fqn does not match sources", opts: sel("raw.orders"), want: "", wantWarn: "does not match"},
		{name: "fqn selects an exposure", opts: sel("weekly_kpis"), want: "weekly_kpis"},
		{name: "fqn selects a test directly", opts: sel("unique_orders_order_id"), want: "unique_orders_order_id"},
		{name: "tag", opts: sel("tag:nightly"), want: "customers orders $customerTests $orderTests $rel $singular"},
		{name: "tag glob", opts: sel("tag:fin*"), want: "stg_payments orders $stgPaymentTests $orderTests $rel $singular"},
		{name: "tag on a source and its test", opts: sel("tag:raw"), want: "source:raw.orders $sourceTest"},
		{name: "tag on a test", opts: sel("tag:critical"), want: "unique_orders_order_id"},
		{name: "path directory", opts: sel("path:models/staging"), want: "$staging source:raw.orders $stgCustomerTests $stgOrderTests $stgPaymentTests $sourceTest $singular"},
		{name: "path by default for a value with a slash", opts: sel("models/staging"), want: "$staging source:raw.orders $stgCustomerTests $stgOrderTests $stgPaymentTests $sourceTest $singular"},
		{name: "path with trailing slash", opts: sel("models/staging/"), want: "$staging source:raw.orders $stgCustomerTests $stgOrderTests $stgPaymentTests $sourceTest $singular"},
		{name: "path file", opts: sel("models/staging/stg_orders.sql"), want: "stg_orders $stgOrderTests"},
		{name: "path glob", opts: sel("path:models/staging/stg_*.sql"), want: "$staging $stgCustomerTests $stgOrderTests $stgPaymentTests $singular"},
		{name: "path double star", opts: sel("path:models/**/schema.yml"), want: "$customerTests $orderTests $rel $stgCustomerTests $stgOrderTests $stgPaymentTests $sourceTest"},
		{name: "path matches whole segments only", opts: sel("path:models/stag"), want: "", wantWarn: "does not match"},
		{name: "path leading ./", opts: sel("./seeds"), want: "$seeds"},
		{name: "file with extension by default", opts: sel("stg_orders.sql"), want: "stg_orders $stgOrderTests"},
		{name: "file stem", opts: sel("file:stg_orders"), want: "stg_orders $stgOrderTests"},
		{name: "file glob", opts: sel("file:*.csv"), want: "$seeds"},
		{name: "file yml", opts: sel("file:sources.yml"), want: "source:raw.orders $sourceTest"},
		{name: "config materialized", opts: sel("config.materialized:view"), want: "$staging $stgCustomerTests $stgOrderTests $stgPaymentTests $singular"},
		{name: "config severity is case-insensitive", opts: sel("config.severity:WARN"), want: "accepted_values_orders_status accepted_values_stg_orders_status accepted_values_stg_payments_payment_method"},
		{name: "config severity error", opts: sel("config.severity:error"), want: "$customerTests $orderTests $rel $stgCustomerTests $stgOrderTests $stgPaymentTests $sourceTest $singular - accepted_values_orders_status accepted_values_stg_orders_status accepted_values_stg_payments_payment_method"},
		{name: "config nested meta", opts: sel("config.meta.owner:growth"), want: "customers $customerTests $rel"},
		{name: "config boolean true", opts: sel("config.meta.contains_pii:true"), want: "customers $customerTests $rel"},
		{name: "config boolean false", opts: sel("config.transient:False"), want: "orders $orderTests $rel $singular"},
		{name: "config list contains", opts: sel("config.unique_key:order_id"), want: "orders $orderTests $rel $singular"},
		{name: "config nested list", opts: sel("config.grants.select:analysts"), want: "orders $orderTests $rel $singular"},
		{name: "config numbers never match a string, as in dbt", opts: sel("config.threads:4"), want: "", wantWarn: "does not match"},
		{name: "config values are case-sensitive", opts: sel("config.materialized:VIEW"), want: ""},
		{name: "source name", opts: sel("source:raw"), want: "source:raw.orders $sourceTest"},
		{name: "source table", opts: sel("source:raw.orders"), want: "source:raw.orders $sourceTest"},
		{name: "source package", opts: sel("source:jaffle_shop.raw.orders"), want: "source:raw.orders $sourceTest"},
		{name: "source glob", opts: sel("source:*.ord*"), want: "source:raw.orders $sourceTest"},
		{name: "source star", opts: sel("source:*"), want: "source:raw.orders $sourceTest"},
		{name: "source descendants", opts: sel("source:raw+"), want: "source:raw.orders $sourceTest stg_orders $stgOrderTests customers orders $customerTests $orderTests $rel $singular weekly_kpis"},
		{name: "resource_type seed", opts: sel("resource_type:seed"), want: "$seeds"},
		{name: "resource_type source", opts: sel("resource_type:source"), want: "source:raw.orders $sourceTest"},
		{name: "resource_type exposure", opts: sel("resource_type:exposure"), want: "weekly_kpis"},
		{name: "test_type generic", opts: sel("test_type:generic"), want: "$customerTests $orderTests $rel $stgCustomerTests $stgOrderTests $stgPaymentTests $sourceTest"},
		{name: "test_type schema is generic", opts: sel("test_type:schema"), want: "$customerTests $orderTests $rel $stgCustomerTests $stgOrderTests $stgPaymentTests $sourceTest"},
		{name: "test_type singular", opts: sel("test_type:singular"), want: "$singular"},
		{name: "test_type data is every data test", opts: sel("test_type:data"), want: "$customerTests $orderTests $rel $stgCustomerTests $stgOrderTests $stgPaymentTests $sourceTest $singular"},
		{name: "test_name", opts: sel("test_name:unique"), want: "unique_customers_customer_id unique_orders_order_id unique_stg_customers_customer_id unique_stg_orders_order_id unique_stg_payments_payment_id"},
		{name: "test_name glob", opts: sel("test_name:rel*"), want: "$rel"},
		{name: "package", opts: sel("package:jaffle_shop"), want: "ALL"},
		{name: "package glob", opts: sel("package:jaffle_*"), want: "ALL"},
		{name: "exposure", opts: sel("exposure:weekly_kpis"), want: "weekly_kpis"},
		{name: "exposure with package", opts: sel("exposure:jaffle_shop.weekly_kpis"), want: "weekly_kpis"},

		// Graph operators.
		{name: "ancestors", opts: sel("+customers"), want: "customers $staging raw_customers raw_payments source:raw.orders $customerTests $rel $stgCustomerTests $stgOrderTests $stgPaymentTests $sourceTest $singular"},
		{name: "ancestors depth 1", opts: sel("1+customers"), want: "customers $staging $customerTests $rel $stgCustomerTests $stgOrderTests $stgPaymentTests $singular"},
		{name: "ancestors depth 0", opts: sel("0+customers"), want: "customers $customerTests $rel"},
		{name: "descendants", opts: sel("customers+"), want: "customers $customerTests $rel weekly_kpis"},
		{name: "descendants depth 1", opts: sel("stg_payments+1"), want: "stg_payments $stgPaymentTests customers orders $singular $customerTests $orderTests $rel"},
		{name: "descendants skip disabled nodes", opts: sel("stg_orders+"), want: "stg_orders $stgOrderTests customers orders $customerTests $orderTests $rel $singular weekly_kpis"},
		{name: "both directions", opts: sel("+stg_orders+"), want: "source:raw.orders $sourceTest stg_orders $stgOrderTests customers orders $customerTests $orderTests $rel $singular weekly_kpis"},
		{name: "depth both directions", opts: sel("1+stg_orders+1"), want: "source:raw.orders $sourceTest stg_orders $stgOrderTests customers orders $customerTests $orderTests $rel $singular"},
		{name: "at operator", opts: sel("@stg_orders"), want: "ALL - raw_orders"},
		{name: "at operator with method", opts: sel("@source:raw"), want: "ALL - raw_orders"},
		{name: "ancestors of an exposure", opts: sel("+exposure:weekly_kpis"), want: "ALL - raw_orders"},
		{name: "ancestors of a path", opts: sel("+models/marts/orders.sql"), want: "orders stg_orders stg_payments source:raw.orders raw_payments $orderTests $rel $singular $stgOrderTests $stgPaymentTests $sourceTest"},

		// Set operators.
		{name: "union in one value", opts: sel("stg_orders stg_customers"), want: "stg_orders stg_customers $stgOrderTests $stgCustomerTests"},
		{name: "union across values", opts: sel("stg_orders", "stg_customers"), want: "stg_orders stg_customers $stgOrderTests $stgCustomerTests"},
		{name: "intersection", opts: sel("tag:nightly,config.materialized:table"), want: "customers $customerTests $rel"},
		{name: "intersection of graph operators", opts: sel("+customers,orders+"), want: "$rel $singular"},
		{name: "intersection and union", opts: sel("tag:nightly,config.materialized:table stg_orders"), want: "customers $customerTests $rel stg_orders $stgOrderTests"},
		{name: "empty intersection part matches nothing", opts: sel("stg_orders,"), want: "", wantWarn: "'stg_orders,' does not match"},
		{name: "double space is an empty spec", opts: sel("stg_orders  stg_customers"), want: "stg_orders stg_customers $stgOrderTests $stgCustomerTests", wantWarn: "'' does not match"},

		// Exclude.
		{name: "exclude a model and its tests", opts: sel("+customers").excluding("stg_orders"), want: "customers stg_customers stg_payments raw_customers raw_payments source:raw.orders $customerTests $rel $stgCustomerTests $stgPaymentTests $sourceTest $singular"},
		{name: "exclude takes tests touching any excluded parent", opts: sel("+customers").excluding("tag:staging"), want: "customers raw_customers raw_payments source:raw.orders $customerTests $rel $sourceTest"},
		{name: "exclude a test explicitly", opts: sel("orders").excluding("unique_orders_order_id"), want: "orders $orderTests $rel $singular - unique_orders_order_id"},
		{name: "exclude from everything", opts: sel().all().excluding("orders"), want: "ALL - orders $orderTests $rel $singular"},
		{name: "exclude several values", opts: sel().all().excluding("resource_type:test", "resource_type:seed source:*"), want: "$staging customers orders weekly_kpis"},
		{name: "exclude with intersection", opts: sel("tag:nightly").excluding("tag:nightly,tag:finance"), want: "customers $customerTests"},
		{name: "exclude alone without DefaultAll selects nothing", opts: sel().excluding("orders"), want: ""},
		{name: "exclude warns when it matches nothing", opts: sel("orders").excluding("nothing_here"), want: "orders $orderTests $rel $singular", wantWarn: "'nothing_here' does not match"},

		// Indirect selection.
		{name: "eager takes tests with any selected parent", opts: sel("orders").mode("eager"), want: "orders $orderTests $rel $singular"},
		{name: "cautious needs every parent", opts: sel("orders").mode("cautious"), want: "orders $orderTests"},
		{name: "buildable accepts ancestors as parents", opts: sel("orders").mode("buildable"), want: "orders $orderTests $singular"},
		{name: "empty selects no tests", opts: sel("orders").mode("empty"), want: "orders"},
		{name: "empty keeps graph operators", opts: sel("@stg_orders").mode("empty"), want: "ALL - raw_orders $stgCustomerTests $stgPaymentTests $sourceTest"},
		{name: "empty still selects tests directly", opts: sel("orders+").mode("empty"), want: "orders $orderTests $rel $singular weekly_kpis"},
		{name: "cautious union lets in tests whose parents all made it", opts: sel("orders stg_payments").mode("cautious"), want: "orders $orderTests stg_payments $stgPaymentTests $singular"},
		{name: "cautious across values", opts: sel("customers", "orders").mode("cautious"), want: "customers orders $customerTests $orderTests $rel"},
		{name: "buildable union", opts: sel("customers orders").mode("buildable"), want: "customers orders $customerTests $orderTests $rel $singular"},
		{name: "cautious intersection", opts: sel("tag:nightly,config.materialized:table").mode("cautious"), want: "customers $customerTests"},
		{name: "cautious tests of a source", opts: sel("source:raw").mode("cautious"), want: "source:raw.orders $sourceTest"},
		{name: "cautious exclude keeps tests with other parents, as dbt does", opts: sel().all().excluding("orders").mode("cautious"), want: "ALL - orders $orderTests"},
		{name: "default everything", opts: sel().all(), want: "ALL"},
		{name: "no select selects nothing", opts: sel(), want: ""},

		// --resource-type.
		{name: "resource type filter", opts: sel("+customers").types("model"), want: "customers $staging"},
		{name: "resource type filter several", opts: sel("+customers").types("seed", "source"), want: "raw_customers raw_payments source:raw.orders"},
		{name: "resource type all", opts: sel("customers").types("all"), want: "customers $customerTests $rel"},
		{name: "resource type tests only", opts: sel().all().types("test"), want: "$customerTests $orderTests $rel $stgCustomerTests $stgOrderTests $stgPaymentTests $sourceTest $singular"},

		// Disabled nodes are not in the graph.
		{name: "disabled model", opts: sel("legacy_orders"), want: "", wantWarn: "does not match"},
		{name: "disabled model by path", opts: sel("models/legacy"), want: ""},

		// Errors.
		{name: "unknown method", opts: sel("foo:bar"), wantErr: `'foo' is not a valid method name in "foo:bar"; valid methods are access, config,`},
		{name: "unknown method in exclude", opts: sel("orders").excluding("tags:x"), wantErr: `'tags' is not a valid method name`},
		{name: "at and plus suffix", opts: sel("@orders+"), wantErr: `invalid node spec "@orders+": the "@" prefix and "+" suffix are incompatible`},
		{name: "newline", opts: sel("orders\nx"), wantErr: `invalid selector spec "orders\nx"`},
		{name: "too many source parts", opts: sel("source:a.b.c.d"), wantErr: `invalid source selector value "a.b.c.d"`},
		{name: "too many exposure parts", opts: sel("exposure:a.b.c"), wantErr: `invalid exposure selector value "a.b.c"`},
		{name: "bad test type", opts: sel("test_type:unitt"), wantErr: `invalid test type selector "unitt": expected "generic", "singular", "unit" or "data"`},
		{name: "bad resource type method", opts: sel("resource_type:modle"), wantErr: `invalid resource_type selector "modle"`},
		{name: "bad version", opts: sel("version:newest"), wantErr: `invalid version type selector "newest"`},
		{name: "absolute path", opts: sel("path:/etc"), wantErr: `non-relative path patterns are unsupported: "/etc"`},
		{name: "empty path", opts: sel("path:."), wantErr: `unacceptable path pattern "."`},
		{name: "state needs artifacts", opts: sel("state:modified+"), wantErr: `the state method compares with the artifacts of an earlier run`},
		{name: "bad indirect selection", opts: sel("orders").mode("careful"), wantErr: `invalid indirect selection mode "careful"; expected eager, cautious, buildable or empty`},
		{name: "bad resource type", opts: sel("orders").types("modle"), wantErr: `invalid resource type "modle"`},
		{name: "selector without selectors.yml", opts: Options{Selector: "nightly"}, wantErr: `could not find selector named "nightly"`},
		{name: "selector method without selectors.yml", opts: sel("selector:nightly"), wantErr: `could not find selector named "nightly"`},
	})
}

func TestSelectOtherResources(t *testing.T) {
	g := NewGraph(otherNodes())
	const (
		v1      = "model.jaffle_shop.dim_customers.v1"
		v2      = "model.jaffle_shop.dim_customers.v2"
		v3      = "model.jaffle_shop.dim_customers.v3"
		unit    = "unit_test.jaffle_shop.dim_customers.test_dim_customers"
		plain   = "model.jaffle_shop.plain"
		session = "model.snowplow.snowplow_sessions"
		helper  = "model.snowplow_utils.helper"
	)
	runCases(t, g, []selectCase{
		{name: "version latest", opts: sel("version:latest"), want: v2 + " " + unit},
		{name: "version old", opts: sel("version:old"), want: v1},
		{name: "version prerelease", opts: sel("version:prerelease"), want: v3},
		{name: "version none", opts: sel("version:none"), want: plain + " " + session + " " + helper},
		{name: "versioned model by name", opts: sel("dim_customers"), want: v1 + " " + v2 + " " + v3 + " " + unit},
		{name: "versioned model with dot", opts: sel("dim_customers.v3"), want: v3},
		{name: "versioned model with underscore", opts: sel("dim_customers_v1"), want: v1},
		{name: "access public", opts: sel("access:public"), want: v1 + " " + v2 + " " + v3 + " " + unit},
		{name: "access protected is the default", opts: sel("access:protected"), want: session + " " + helper},
		{name: "access private", opts: sel("access:private"), want: plain},
		{name: "group field", opts: sel("group:growth"), want: v1 + " " + v2 + " " + v3 + " " + unit},
		{name: "group from config", opts: sel("group:finance"), want: plain},
		{name: "package", opts: sel("package:snowplow"), want: session},
		{name: "package glob", opts: sel("package:snowplow*"), want: session + " " + helper},
		{name: "package name as fqn", opts: sel("snowplow"), want: session},
		{name: "package star as fqn", opts: sel("snowplow.*"), want: session},
		{name: "fqn across packages", opts: sel("sessions.snowplow_sessions"), want: session},
		{name: "test_type unit", opts: sel("test_type:unit"), want: unit},
		{name: "unit_test", opts: sel("unit_test:test_dim_customers"), want: unit},
		{name: "unit_test with package", opts: sel("unit_test:jaffle_shop.test_*"), want: unit},
		{name: "unit tests are selected indirectly", opts: sel("version:latest").mode("cautious"), want: v2 + " " + unit},
		{name: "unit tests and empty", opts: sel("version:latest").mode("empty"), want: v2},
		{name: "snapshot", opts: sel("resource_type:snapshot"), want: "snapshot.jaffle_shop.orders_snapshot"},
		{name: "analysis children", opts: sel("plain+"), want: plain + " analysis.jaffle_shop.explore"},
		{name: "resource type default leaves out analyses", opts: sel().all().types("default"), want: "ALL - analysis.jaffle_shop.explore"},
		{name: "path of a package node", opts: sel("dbt_packages/snowplow"), want: session},
	})
}

func runCases(t *testing.T, g *Graph, cases []selectCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var warnings []string
			opts := tc.opts
			opts.Warn = func(msg string) { warnings = append(warnings, msg) }
			got, err := Select(g, opts)
			if tc.wantErr != "" {
				var se *Error
				if !errors.As(err, &se) {
					t.Fatalf("Select() error = %v, want an *Error containing %q", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Select() error = %q, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Select() error = %v", err)
			}
			if got == nil {
				got = []string{}
			}
			if want := expand(t, g, tc.want); !slices.Equal(got, want) {
				t.Errorf("Select() =\n  %s\nwant\n  %s\nmissing %v\nextra %v", strings.Join(got, "\n  "), strings.Join(want, "\n  "), diff(want, got), diff(got, want))
			}
			if tc.wantWarn != "" && !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, tc.wantWarn) }) {
				t.Errorf("warnings = %q, want one containing %q", warnings, tc.wantWarn)
			}
			if tc.wantWarn == "" && len(tc.want) > 0 && len(warnings) > 0 {
				t.Errorf("unexpected warnings %q", warnings)
			}
		})
	}
}

func diff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func TestSelectConcurrently(t *testing.T) {
	g := NewGraph(jaffleNodes())
	s := loadSelectors(t)
	want, err := Select(g, Options{Select: []string{"@stg_orders"}, Selectors: s})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []string)
	for range 8 {
		go func() {
			got, _ := Select(g, Options{Select: []string{"@stg_orders"}, Selectors: s})
			_, _ = Select(g, Options{Selector: "nested", Selectors: s, IndirectSelection: "cautious"})
			done <- got
		}()
	}
	for range 8 {
		if got := <-done; !slices.Equal(got, want) {
			t.Errorf("concurrent Select() = %v, want %v", got, want)
		}
	}
}

func TestNewGraph(t *testing.T) {
	a := &Node{UniqueID: "model.p.a", Name: "a", ResourceType: "model", FQN: []string{"p", "a"}}
	b := &Node{UniqueID: "model.p.b", Name: "b", ResourceType: "model", FQN: []string{"p", "b"},
		DependsOn: []string{"model.p.a", "model.p.a", "model.p.b", "model.p.missing"}}
	dup := &Node{UniqueID: "model.p.a", Name: "other", ResourceType: "model", FQN: []string{"p", "other"}}
	g := NewGraph([]*Node{b, nil, a, dup})
	if g.Len() != 2 {
		t.Fatalf("Len() = %d, want 2", g.Len())
	}
	got, err := Select(g, Options{Select: []string{"+b"}})
	if err != nil || !slices.Equal(got, []string{"model.p.a", "model.p.b"}) {
		t.Errorf("Select(+b) = %v, %v", got, err)
	}
	if got, _ := Select(g, Options{Select: []string{"other"}}); len(got) != 0 {
		t.Errorf("a repeated unique ID replaced the first node: %v", got)
	}
	if got, err := Select(nil, Options{DefaultAll: true}); err != nil || len(got) != 0 {
		t.Errorf("Select(nil graph) = %v, %v", got, err)
	}
}

func TestLatestVersionDefaultsToHighest(t *testing.T) {
	var nodes []*Node
	for _, v := range []string{"2", "10", "9"} {
		nodes = append(nodes, &Node{
			UniqueID: "model.p.m.v" + v, Name: "m", ResourceType: "model", Package: "p",
			FQN: []string{"p", "m", "v" + v}, Version: v,
		})
	}
	g := NewGraph(nodes)
	for spec, want := range map[string]string{"version:latest": "model.p.m.v10", "version:old": "model.p.m.v2 model.p.m.v9", "version:prerelease": ""} {
		got, err := Select(g, Options{Select: []string{spec}})
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("Select(%s) = %v, %v; want %q", spec, got, err, want)
		}
	}
}
