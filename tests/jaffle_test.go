package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const jaffleProfiles = "testdata/jaffle_shop_profiles"

// The classic jaffle_shop, unchanged, with a profile whose server does not
// exist: compile and ls must work without any connection.
func TestJaffleShopLs(t *testing.T) {
	dir := copyTree(t, "testdata/jaffle_shop")
	for _, tc := range []struct {
		rt   string
		want int
	}{{"model", 5}, {"seed", 3}, {"test", 20}, {"source", 0}} {
		r := run(t, nil, "ls", "--project-dir", dir, "--profiles-dir", jaffleProfiles, "--resource-type", tc.rt, "--output", "name")
		if r.code != 0 {
			t.Fatalf("ls %s: exit %d\n%s", tc.rt, r.code, r.stderr)
		}
		if got := len(lines(r.stdout)); got != tc.want {
			t.Errorf("ls --resource-type %s: %d lines, want %d:\n%s", tc.rt, got, tc.want, r.stdout)
		}
	}
	r := run(t, nil, "ls", "--project-dir", dir, "--profiles-dir", jaffleProfiles, "--resource-type", "model", "--output", "name")
	got := lines(r.stdout)
	sort.Strings(got)
	want := []string{"customers", "orders", "stg_customers", "stg_orders", "stg_payments"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("models = %v, want %v", got, want)
	}
}

func TestJaffleShopCompile(t *testing.T) {
	dir := copyTree(t, "testdata/jaffle_shop")
	r := run(t, nil, "compile", "--project-dir", dir, "--profiles-dir", jaffleProfiles)
	if r.code != 0 {
		t.Fatalf("compile: exit %d\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "s3cret-never-printed") {
		t.Fatal("the password appeared in the output")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "target", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "s3cret-never-printed") {
		t.Fatal("the password appeared in manifest.json")
	}
	var m struct {
		Metadata map[string]any `json:"metadata"`
		Nodes    map[string]struct {
			ResourceType string   `json:"resource_type"`
			Name         string   `json:"name"`
			Alias        string   `json:"alias"`
			Schema       string   `json:"schema"`
			RelationName *string  `json:"relation_name"`
			CompiledCode string   `json:"compiled_code"`
			CompiledPath string   `json:"compiled_path"`
			FQN          []string `json:"fqn"`
			Config       struct {
				Materialized string `json:"materialized"`
			} `json:"config"`
			DependsOn struct {
				Nodes []string `json:"nodes"`
			} `json:"depends_on"`
		} `json:"nodes"`
		Docs      map[string]any      `json:"docs"`
		ParentMap map[string][]string `json:"parent_map"`
		ChildMap  map[string][]string `json:"child_map"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest.json is not valid JSON: %v", err)
	}
	if got := m.Metadata["dbt_schema_version"]; got != "https://schemas.getdbt.com/dbt/manifest/v12.json" {
		t.Errorf("dbt_schema_version = %v", got)
	}
	if len(m.Nodes) != 28 {
		t.Errorf("manifest has %d nodes, want 28 (5 models, 3 seeds, 20 tests)", len(m.Nodes))
	}
	// The 20 test unique ids dbt-core 1.9 gives this project (see
	// testdata/DBT_TEST_NAMING.md).
	wantTests := []string{
		"test.jaffle_shop.accepted_values_orders_status__placed__shipped__completed__return_pending__returned.be6b5b5ec3",
		"test.jaffle_shop.accepted_values_stg_orders_status__placed__shipped__completed__return_pending__returned.080fb20aad",
		"test.jaffle_shop.accepted_values_stg_payments_payment_method__credit_card__coupon__bank_transfer__gift_card.3c3820f278",
		"test.jaffle_shop.not_null_customers_customer_id.5c9bf9911d",
		"test.jaffle_shop.not_null_orders_amount.106140f9fd",
		"test.jaffle_shop.not_null_orders_bank_transfer_amount.7743500c49",
		"test.jaffle_shop.not_null_orders_coupon_amount.ab90c90625",
		"test.jaffle_shop.not_null_orders_credit_card_amount.d3ca593b59",
		"test.jaffle_shop.not_null_orders_customer_id.c5f02694af",
		"test.jaffle_shop.not_null_orders_gift_card_amount.413a0d2d7a",
		"test.jaffle_shop.not_null_orders_order_id.cf6c17daed",
		"test.jaffle_shop.not_null_stg_customers_customer_id.e2cfb1f9aa",
		"test.jaffle_shop.not_null_stg_orders_order_id.81cfe2fe64",
		"test.jaffle_shop.not_null_stg_payments_payment_id.c19cc50075",
		"test.jaffle_shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2",
		"test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1",
		"test.jaffle_shop.unique_orders_order_id.fed79b3a6e",
		"test.jaffle_shop.unique_stg_customers_customer_id.c7614daada",
		"test.jaffle_shop.unique_stg_orders_order_id.e3b841c71a",
		"test.jaffle_shop.unique_stg_payments_payment_id.3744510712",
	}
	for _, id := range wantTests {
		if _, ok := m.Nodes[id]; !ok {
			t.Errorf("manifest lacks %s", id)
		}
	}
	acc := m.Nodes["test.jaffle_shop.accepted_values_orders_status__placed__shipped__completed__return_pending__returned.be6b5b5ec3"]
	if acc.Alias != "accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758" {
		t.Errorf("hashed test alias = %q", acc.Alias)
	}
	if acc.Schema != "dbt_alice_dbt_test__audit" {
		t.Errorf("test schema = %q, want dbt_alice_dbt_test__audit", acc.Schema)
	}
	rel := m.Nodes["test.jaffle_shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2"]
	if strings.Join(rel.DependsOn.Nodes, ",") != "model.jaffle_shop.customers,model.jaffle_shop.orders" {
		t.Errorf("relationships depends_on = %v", rel.DependsOn.Nodes)
	}
	if !strings.Contains(rel.CompiledCode, `"jaffle"."dbt_alice"."customers"`) {
		t.Errorf("relationships test SQL does not name the parent table:\n%s", rel.CompiledCode)
	}

	customers := m.Nodes["model.jaffle_shop.customers"]
	if customers.Config.Materialized != "table" {
		t.Errorf("customers materialized = %q, want table (bare config key)", customers.Config.Materialized)
	}
	if customers.RelationName == nil || *customers.RelationName != `"jaffle"."dbt_alice"."customers"` {
		t.Errorf("customers relation_name = %v", customers.RelationName)
	}
	stg := m.Nodes["model.jaffle_shop.stg_orders"]
	if stg.Config.Materialized != "view" {
		t.Errorf("stg_orders materialized = %q, want view (staging folder config)", stg.Config.Materialized)
	}
	if strings.Join(stg.FQN, ".") != "jaffle_shop.staging.stg_orders" {
		t.Errorf("stg_orders fqn = %v", stg.FQN)
	}
	if !strings.Contains(stg.CompiledCode, `"jaffle"."dbt_alice"."raw_orders"`) {
		t.Errorf("stg_orders compiled SQL lacks the seed relation:\n%s", stg.CompiledCode)
	}
	orders := m.Nodes["model.jaffle_shop.orders"]
	for _, want := range []string{
		"sum(case when payment_method = 'credit_card' then amount else 0 end) as credit_card_amount,",
		"sum(case when payment_method = 'gift_card' then amount else 0 end) as gift_card_amount,\n",
		"credit_card_amount,",
		`"jaffle"."dbt_alice"."stg_payments"`,
	} {
		if !strings.Contains(orders.CompiledCode, want) {
			t.Errorf("orders compiled SQL lacks %q:\n%s", want, orders.CompiledCode)
		}
	}
	if strings.Contains(orders.CompiledCode, "{{") || strings.Contains(orders.CompiledCode, "{%") {
		t.Errorf("orders compiled SQL still has Jinja:\n%s", orders.CompiledCode)
	}
	if _, ok := m.Docs["doc.jaffle_shop.orders_status"]; !ok {
		t.Errorf("docs block orders_status missing; docs = %v", m.Docs)
	}
	if got := m.ChildMap["model.jaffle_shop.stg_orders"]; len(got) < 3 {
		t.Errorf("child_map[stg_orders] = %v", got)
	}
	// Compiled files land where the manifest says.
	p := filepath.Join(dir, "target/compiled/jaffle_shop/models/orders.sql")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != orders.CompiledCode {
		t.Errorf("%s differs from the manifest's compiled_code", p)
	}
}

// TestJaffleShopMatchesDbt compares gmodel's output with what dbt-core 1.9.8
// (dbt-postgres 1.9.0) produced for the same project and profile: every
// compiled file byte for byte, and the manifest's node fields.
func TestJaffleShopMatchesDbt(t *testing.T) {
	dir := copyTree(t, "testdata/jaffle_shop")
	r := run(t, nil, "compile", "--project-dir", dir, "--profiles-dir", jaffleProfiles)
	if r.code != 0 {
		t.Fatalf("compile: exit %d\n%s", r.code, r.stderr)
	}
	golden := "testdata/jaffle_shop_dbt/compiled"
	count := 0
	err := filepath.Walk(golden, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(golden, p)
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(dir, "target", "compiled", rel))
		if err != nil {
			t.Errorf("gmodel did not write %s", rel)
			return nil
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from dbt's:\n--- dbt\n%s\n--- gmodel\n%s", rel, want, got)
		}
		count++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count != 25 {
		t.Errorf("compared %d compiled files, want 25", count)
	}

	var ref struct {
		Nodes     map[string]map[string]any `json:"nodes"`
		ParentMap map[string][]string       `json:"parent_map"`
		ChildMap  map[string][]string       `json:"child_map"`
	}
	b, err := os.ReadFile("testdata/jaffle_shop_dbt/manifest_subset.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	var ours struct {
		Nodes     map[string]map[string]any `json:"nodes"`
		ParentMap map[string][]string       `json:"parent_map"`
		ChildMap  map[string][]string       `json:"child_map"`
	}
	b, err = os.ReadFile(filepath.Join(dir, "target", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ours); err != nil {
		t.Fatal(err)
	}
	if len(ours.Nodes) != len(ref.Nodes) {
		t.Errorf("%d nodes, dbt has %d", len(ours.Nodes), len(ref.Nodes))
	}
	for id, rn := range ref.Nodes {
		on, ok := ours.Nodes[id]
		if !ok {
			t.Errorf("missing node %s", id)
			continue
		}
		for field, want := range rn {
			got := on[field]
			if field == "config" {
				gotCfg, _ := got.(map[string]any)
				for k, wv := range want.(map[string]any) {
					if !jsonEqual(gotCfg[k], wv) {
						t.Errorf("%s config.%s = %v, dbt has %v", id, k, gotCfg[k], wv)
					}
				}
				continue
			}
			if !jsonEqual(got, want) {
				t.Errorf("%s %s = %v, dbt has %v", id, field, got, want)
			}
		}
	}
	if !jsonEqual(ours.ParentMap, ref.ParentMap) {
		t.Errorf("parent_map differs from dbt's")
	}
	if !jsonEqual(ours.ChildMap, ref.ChildMap) {
		t.Errorf("child_map differs from dbt's")
	}
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// Selection through the command line, as dbt users write it.
func TestJaffleShopSelection(t *testing.T) {
	dir := copyTree(t, "testdata/jaffle_shop")
	os.WriteFile(filepath.Join(dir, "selectors.yml"), []byte("selectors:\n  - name: marts\n    definition: 'config.materialized:table'\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-s", "+orders", "--resource-type", "model"}, "orders,stg_orders,stg_payments"},
		{[]string{"-s", "stg_orders+", "--resource-type", "model"}, "customers,orders,stg_orders"},
		// Eager indirect selection brings the tests of the selected models.
		{[]string{"-s", "config.materialized:view"}, "accepted_values_stg_orders_status__placed__shipped__completed__return_pending__returned,accepted_values_stg_payments_payment_method__credit_card__coupon__bank_transfer__gift_card,not_null_stg_customers_customer_id,not_null_stg_orders_order_id,not_null_stg_payments_payment_id,stg_customers,stg_orders,stg_payments,unique_stg_customers_customer_id,unique_stg_orders_order_id,unique_stg_payments_payment_id"},
		{[]string{"-s", "config.materialized:view", "--resource-type", "model"}, "stg_customers,stg_orders,stg_payments"},
		{[]string{"-s", "staging", "--exclude", "stg_payments", "--resource-type", "model"}, "stg_customers,stg_orders"},
		{[]string{"--selector", "marts", "--resource-type", "model"}, "customers,orders"},
		{[]string{"-s", "resource_type:seed"}, "raw_customers,raw_orders,raw_payments"},
		{[]string{"-s", "orders", "--resource-type", "test", "--indirect-selection", "cautious"}, "accepted_values_orders_status__placed__shipped__completed__return_pending__returned,not_null_orders_amount,not_null_orders_bank_transfer_amount,not_null_orders_coupon_amount,not_null_orders_credit_card_amount,not_null_orders_customer_id,not_null_orders_gift_card_amount,not_null_orders_order_id,unique_orders_order_id"},
		{[]string{"-s", "orders,customers", "--resource-type", "model"}, ""},
	} {
		args := append([]string{"ls", "--project-dir", dir, "--profiles-dir", jaffleProfiles, "--output", "name"}, tc.args...)
		r := run(t, nil, args...)
		if r.code != 0 {
			t.Errorf("%v: exit %d\n%s", tc.args, r.code, r.stderr)
			continue
		}
		got := lines(r.stdout)
		sort.Strings(got)
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%v:\n got %s\nwant %s", tc.args, strings.Join(got, ","), tc.want)
		}
	}
}
