package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// initProject scaffolds NAME in a temporary directory and returns its path.
func initProject(t *testing.T, name string) string {
	t.Helper()
	wd := t.TempDir()
	f, out, errb := testFactory()
	f.Getwd = func() (string, error) { return wd, nil }
	if code := MainWith(context.Background(), f, []string{"init", name}); code != ExitOK {
		t.Fatalf("init: exit %d: %s%s", code, out, errb)
	}
	return filepath.Join(wd, name)
}

func TestInitFlags(t *testing.T) {
	f, _, _ := testFactory()
	var got *initOptions
	cmd := newCmdInit(f, &globalOptions{}, func(o *initOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"shop"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Name != "shop" {
		t.Errorf("parsed %+v", got)
	}
	for _, args := range [][]string{{}, {"a", "b"}} {
		cmd := newCmdInit(f, &globalOptions{}, func(*initOptions) error { t.Error("ran"); return nil })
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		if err := cmd.Execute(); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// The scaffold must compile, and list its three layers, its seed and its
// tests.
func TestInitScaffoldCompiles(t *testing.T) {
	dir := initProject(t, "shop")
	for _, p := range []string{"dbt_project.yml", "profiles.yml", ".gitignore", "README.md", "macros/generate_schema_name.sql",
		"models/bronze/brz_orders.sql", "models/silver/slv_orders.sql", "models/gold/gld_customer_revenue.sql",
		"models/schema.yml", "seeds/raw_orders.csv"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("scaffold: %v", err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, ".gitignore"))
	for _, want := range []string{"target/", ".gmodel/", "logs/"} {
		if !strings.Contains(string(b), want) {
			t.Errorf(".gitignore lacks %s", want)
		}
	}
	b, _ = os.ReadFile(filepath.Join(dir, "profiles.yml"))
	for _, want := range []string{"shop:", "local:", "managed: true", "aws:", "env_var('GMODEL_AWS_PASSWORD')", "sslmode: verify-full"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("profiles.yml lacks %s", want)
		}
	}

	f, out, errb := testFactory()
	if code := MainWith(context.Background(), f, []string{"compile", "--project-dir", dir}); code != ExitOK {
		t.Fatalf("compile: exit %d: %s", code, errb)
	}
	// The medallion override: custom schemas as written.
	gold, err := os.ReadFile(filepath.Join(dir, "target/compiled/shop/models/gold/gld_customer_revenue.sql"))
	if err != nil || !strings.Contains(string(gold), `"shop"."silver"."slv_orders"`) {
		t.Errorf("compiled gold model: %v\n%s", err, gold)
	}

	f, out, errb = testFactory()
	if code := MainWith(context.Background(), f, []string{"ls", "--project-dir", dir}); code != ExitOK {
		t.Fatalf("ls: exit %d: %s", code, errb)
	}
	for _, want := range []string{"shop.bronze.brz_orders", "shop.silver.slv_orders", "shop.gold.gld_customer_revenue", "shop.raw_orders",
		"shop.unique_brz_orders_order_id", "shop.not_null_slv_orders_customer_id", "shop.unique_gld_customer_revenue_customer_id"} {
		if !strings.Contains(out.String(), want+"\n") {
			t.Errorf("ls lacks %s:\n%s", want, out)
		}
	}
	if n := strings.Count(out.String(), "\n"); n != 13 {
		t.Errorf("ls: %d nodes, want 13 (3 models, 1 seed, 9 tests):\n%s", n, out)
	}
}

func TestInitRefuses(t *testing.T) {
	dir := initProject(t, "shop")
	wd := filepath.Dir(dir)
	if err := os.Mkdir(filepath.Join(wd, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		code int
		want string
	}{
		{"shop", ExitError, "exists and is not empty"},
		{"my-shop", ExitError, "not a valid project name"},
		{"empty", ExitOK, "Created project empty"},
	} {
		f, out, errb := testFactory()
		f.Getwd = func() (string, error) { return wd, nil }
		code := MainWith(context.Background(), f, []string{"init", tc.name})
		if code != tc.code || !strings.Contains(out.String()+errb.String(), tc.want) {
			t.Errorf("init %s: exit %d, %q; want exit %d and %q", tc.name, code, out.String()+errb.String(), tc.code, tc.want)
		}
	}
}

func TestVersion(t *testing.T) {
	f, out, _ := testFactory()
	if code := MainWith(context.Background(), f, []string{"--version"}); code != ExitOK || out.String() != "gmodel "+Version+"\n" {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}
