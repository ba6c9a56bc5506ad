package selector

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func loadSelectors(t testing.TB) *Selectors {
	t.Helper()
	data, err := os.ReadFile("testdata/selectors.yml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSelectors("selectors.yml", data)
	if err != nil {
		t.Fatalf("ParseSelectors() error = %v", err)
	}
	return s
}

func TestSelectors(t *testing.T) {
	g := NewGraph(jaffleNodes())
	s := loadSelectors(t)
	named := func(name string) Options { return Options{Selector: name, Selectors: s} }
	runCases(t, g, []selectCase{
		{name: "cli string", opts: named("nightly_cli"), want: "customers orders $customerTests $orderTests $rel $singular"},
		{name: "key value", opts: named("nightly_kv"), want: "customers orders $customerTests $orderTests $rel $singular"},
		{name: "parents with depth", opts: named("nightly_with_parents"), want: "customers orders $staging $customerTests $orderTests $rel $singular $stgCustomerTests $stgOrderTests $stgPaymentTests"},
		{name: "union with exclude", opts: named("staging_not_finance"), want: "customers $customerTests stg_customers stg_orders $stgCustomerTests $stgOrderTests source:raw.orders $sourceTest"},
		{name: "intersection", opts: named("tables"), want: "customers $customerTests $rel"},
		{name: "method with exclude", opts: named("marts_but_orders"), want: "customers $customerTests"},
		{name: "childrens parents", opts: named("around_stg_orders"), want: "ALL - raw_orders"},
		{name: "criteria indirect selection", opts: named("orders_cautious"), want: "orders $orderTests"},
		{name: "criteria buildable", opts: named("orders_buildable"), want: "orders $orderTests $singular"},
		// dbt combines YAML sets eagerly: tests held back by each cautious
		// criteria stay out even when all their parents end up selected.
		{name: "yaml union does not incorporate", opts: named("two_cautious"), want: "orders $orderTests stg_payments $stgPaymentTests"},
		{name: "criteria without indirect_selection follow the flag", opts: named("nightly_kv").mode("cautious"), want: "customers orders $customerTests $orderTests $rel"},
		{name: "inheritance", opts: named("inherits"), want: "customers orders $customerTests $orderTests $rel $singular"},
		{name: "inheritance with exclude", opts: named("inherits_less_finance"), want: "customers $customerTests"},
		// The excluded incremental criteria takes the relationships test along.
		{name: "nested", opts: named("nested"), want: "customers $customerTests stg_customers $stgCustomerTests"},
		{name: "anchors and merge keys", opts: named("anchors"), want: "stg_orders $stgOrderTests customers orders stg_customers $stgCustomerTests $customerTests $orderTests $rel $singular"},
		{name: "default selector", opts: Options{Selectors: s, DefaultAll: true}, want: "source:raw.orders $sourceTest stg_orders $stgOrderTests"},
		{name: "select overrides the default selector", opts: Options{Selectors: s, Select: []string{"customers"}}, want: "customers $customerTests $rel"},
		{name: "exclude alone overrides the default selector", opts: Options{Selectors: s, Exclude: []string{"orders"}, DefaultAll: true}, want: "ALL - orders $orderTests $rel $singular"},
		{name: "selector ignores select", opts: Options{Selectors: s, Selector: "tables", Select: []string{"orders"}}, want: "customers $customerTests $rel", wantWarn: "--select and --exclude are ignored"},
		{name: "selector method", opts: Options{Selectors: s, Select: []string{"selector:tables"}}, want: "customers $customerTests $rel"},
		// The relationships test in "tables" brings in orders' ancestors.
		{name: "selector method with operators", opts: Options{Selectors: s, Select: []string{"+selector:tables"}}.types("model"), want: "customers orders $staging"},
		{name: "selector method in exclude", opts: Options{Selectors: s, Select: []string{"tag:nightly"}, Exclude: []string{"selector:tables"}}, want: "orders $orderTests $singular"},
		{name: "resource type filter with selector", opts: named("nightly_cli").types("model"), want: "customers orders"},
		{name: "unknown selector", opts: named("nope"), wantErr: `could not find selector named "nope"; expected one of nightly_cli, nightly_kv,`},
		{name: "unknown selector method value", opts: Options{Selectors: s, Select: []string{"selector:nope"}}, wantErr: `could not find selector named "nope"`},
	})
}

func TestSelectorsAPI(t *testing.T) {
	s := loadSelectors(t)
	if got := s.Default(); got != "source_children" {
		t.Errorf("Default() = %q, want source_children", got)
	}
	if got := s.Names(); len(got) != 15 || got[0] != "nightly_cli" {
		t.Errorf("Names() = %q", got)
	}
	sel, ok := s.Get("nightly_cli")
	if !ok || sel.Description != "CLI-style string" || sel.Line != 3 {
		t.Errorf("Get(nightly_cli) = %+v, %v", sel, ok)
	}
	var none *Selectors
	if none.Default() != "" || none.Names() != nil {
		t.Error("a nil *Selectors should have no selectors")
	}
	for _, empty := range []string{"", "# nothing\n", "selectors:\n", "selectors: []\n", "~\n"} {
		s, err := ParseSelectors("selectors.yml", []byte(empty))
		if err != nil || len(s.Names()) != 0 {
			t.Errorf("ParseSelectors(%q) = %v, %v; want no selectors", empty, s.Names(), err)
		}
	}
}

func TestSelectorsSelfReferenceFromCLIString(t *testing.T) {
	s, err := ParseSelectors("selectors.yml", []byte("selectors:\n  - name: a\n    definition: 'selector:b'\n  - name: b\n    definition: 'selector:a'\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Select(NewGraph(jaffleNodes()), Options{Selectors: s, Selector: "a"})
	if err == nil || !strings.Contains(err.Error(), "selectors refer to each other in a cycle: a -> b -> a") {
		t.Fatalf("Select() error = %v, want a cycle error", err)
	}
}

// TestSelectorsErrors checks the messages for broken selectors files
// against testdata/errors/<case>/want.txt; -update rewrites them.
func TestSelectorsErrors(t *testing.T) {
	dirs, err := filepath.Glob("testdata/errors/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no error cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "selectors.yml"))
			if err != nil {
				t.Fatal(err)
			}
			s, err := ParseSelectors("selectors.yml", data)
			if err == nil {
				t.Fatalf("ParseSelectors() = %v, want an error", s.Names())
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T is not an ErrorList", err)
			}
			var one *Error
			if !errors.As(err, &one) || one.File != "selectors.yml" {
				t.Fatalf("errors.As(*Error) = %+v", one)
			}
			got := err.Error() + "\n"
			golden := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("errors:\n%s\nwant:\n%s", got, want)
			}
			for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
				if !strings.HasPrefix(line, "selectors.yml:") && !strings.HasPrefix(line, "  hint: ") {
					t.Errorf("line %q is not positioned", line)
				}
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{&Error{Msg: "m"}, "m"},
		{&Error{File: "f.yml", Msg: "m"}, "f.yml: m"},
		{&Error{File: "f.yml", Line: 2, Msg: "m"}, "f.yml:2: m"},
		{&Error{File: "f.yml", Line: 2, Col: 5, Msg: "m", Hint: "h"}, "f.yml:2:5: m\n  hint: h"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	list := ErrorList{{Msg: "a"}, {Msg: "b"}}
	if got := list.Error(); got != "a\nb" || !slices.Equal(list.Unwrap(), []error{list[0], list[1]}) {
		t.Errorf("ErrorList = %q", got)
	}
}
