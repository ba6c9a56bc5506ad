package project

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fakeRender stands in for the Jinja engine: it knows env_var() with an
// optional default and the as_* filters, and fails on anything else.
func fakeRender(env map[string]string) func(file string, pos Pos, s string) (string, error) {
	re := regexp.MustCompile(`\{\{\s*env_var\(\s*'([^']*)'\s*(?:,\s*'([^']*)'\s*)?\)\s*(?:\|\s*as_\w+\s*)?\}\}`)
	return func(file string, pos Pos, s string) (string, error) {
		var err error
		out := re.ReplaceAllStringFunc(s, func(m string) string {
			sm := re.FindStringSubmatchIndex(m)
			name := m[sm[2]:sm[3]]
			if v, ok := env[name]; ok {
				return v
			}
			if sm[4] >= 0 {
				return m[sm[4]:sm[5]]
			}
			if err == nil {
				err = fmt.Errorf("env var '%s' is not set and has no default", name)
			}
			return ""
		})
		if err != nil {
			return "", err
		}
		if strings.Contains(out, "{{") || strings.Contains(out, "{%") {
			return "", fmt.Errorf("cannot render %q in this test", s)
		}
		return out, nil
	}
}

// readTxtar reads a test case: files introduced by "-- name --" lines.
func readTxtar(t *testing.T, path string) (files []string, content map[string]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	content = map[string]string{}
	cur := ""
	for _, line := range strings.SplitAfter(string(b), "\n") {
		trimmed := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			cur = trimmed[3 : len(trimmed)-3]
			files = append(files, cur)
			content[cur] = ""
			continue
		}
		if cur != "" {
			content[cur] += line
		}
	}
	return files, content
}

func writeTxtar(t *testing.T, path string, files []string, content map[string]string) {
	t.Helper()
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "-- %s --\n%s", f, content[f])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadCases runs each testdata/load/*.txtar: the files of a project
// and, under "want", the errors Load reports or a dump of what it loaded.
// Run with -update to rewrite the want sections.
func TestLoadCases(t *testing.T) {
	cases, _ := filepath.Glob("testdata/load/*.txtar")
	if len(cases) < 20 {
		t.Fatalf("found %d cases, want at least 20", len(cases))
	}
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(tc), ".txtar"), func(t *testing.T) {
			t.Parallel()
			files, content := readTxtar(t, tc)
			dir := t.TempDir()
			for _, f := range files {
				if f == "want" || f == "env" {
					continue
				}
				p := filepath.Join(dir, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				// "\t" in a case file stands for a tab, which editors like to eat.
				if err := os.WriteFile(p, []byte(strings.ReplaceAll(content[f], `\t`, "\t")), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			env := map[string]string{}
			for _, line := range strings.Split(content["env"], "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					env[k] = v
				}
			}
			p, err := Load(dir, LoadOptions{Render: fakeRender(env)})
			var got string
			if err != nil {
				var list ErrorList
				if !errors.As(err, &list) {
					t.Fatalf("Load returned %T, want ErrorList: %v", err, err)
				}
				got = "ERROR\n" + strings.ReplaceAll(err.Error(), dir, "$DIR") + "\n"
			} else {
				got = dumpProject(p)
			}
			if *update {
				if !slices.Contains(files, "want") {
					files = append(files, "want")
				}
				content["want"] = got
				writeTxtar(t, tc, files, content)
				return
			}
			if got != content["want"] {
				t.Errorf("got:\n%s\nwant:\n%s", got, content["want"])
			}
		})
	}
}

func TestLoadJaffleShop(t *testing.T) {
	p, err := Load("testdata/jaffle_shop", LoadOptions{Render: fakeRender(map[string]string{"STAGING_SCHEMA": "stg"})})
	if err != nil {
		t.Fatal(err)
	}
	got := dumpProject(p)
	golden := "testdata/jaffle_shop.golden"
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
		t.Errorf("dump differs from %s (rerun with -update and review the diff):\n%s", golden, got)
	}

	configs := []struct {
		kind string
		fqn  []string
		want string
	}{
		{"models", []string{"jaffle_shop", "staging", "stg_orders"},
			`{persist_docs: {relation: true}, materialized: "view", tags: ["nightly", "staging"], schema: "stg", meta: {owner: "data-eng"}, post-hook: ["analyze {{ this }}"]}`},
		{"models", []string{"jaffle_shop", "marts", "orders"},
			`{persist_docs: {relation: true}, materialized: "table", tags: ["nightly"], pre-hook: ["select 1"], meta: {tier: "gold"}, grants: {select: ["reporter"]}}`},
		{"models", []string{"jaffle_shop", "marts", "customers"},
			`{persist_docs: {relation: true}, materialized: "table", tags: ["nightly"], pre-hook: ["select 1"]}`},
		{"models", []string{"dbt_utils", "some_model"}, `{persist_docs: {relation: true}}`},
		{"seeds", []string{"jaffle_shop", "raw_orders"}, `{schema: "raw", column_types: {order_date: "date"}}`},
		{"tests", []string{"jaffle_shop", "assert_positive_total"}, `{severity: "warn", store_failures: true}`},
		{"data_tests", []string{"jaffle_shop", "x"}, `{severity: "warn", store_failures: true}`},
		{"snapshots", []string{"jaffle_shop", "orders_snapshot"}, `{}`},
		{"metrics", []string{"jaffle_shop", "m"}, `{}`},
	}
	for _, c := range configs {
		if got := fmtValue(p.ConfigFor(c.kind, c.fqn)); got != c.want {
			t.Errorf("ConfigFor(%s, %v)\n got %s\nwant %s", c.kind, c.fqn, got, c.want)
		}
	}
	// The result is the caller's to change.
	p.ConfigFor("models", []string{"jaffle_shop", "staging"}).Values["meta"].(*OrderedMap).Set("x", 1)
	if m, _ := p.ConfigFor("models", []string{"jaffle_shop", "staging"}).Get("meta"); m.(*OrderedMap).Len() != 1 {
		t.Errorf("ConfigFor shares maps with the tree: %s", fmtValue(m))
	}

	// Patches come in file order: models/marts/ before models/staging/.
	if names := patchNames(p.ModelPatches); !slices.Equal(names, []string{"orders", "stg_orders", "stg_payments"}) {
		t.Errorf("model patches = %q", names)
	}
	stg := p.ModelPatches[1]
	if stg.Pos != (Pos{"models/staging/schema.yml", 4, 5}) {
		t.Errorf("stg_orders at %v", stg.Pos)
	}
	status := stg.Columns[1]
	tests := []struct {
		got  *TestDef
		name string
		pos  Pos
		args string
		cfg  string
	}{
		{stg.Columns[0].Tests[0], "unique", Pos{"models/staging/schema.yml", 9, 13}, "{}", "{}"},
		{status.Tests[0], "accepted_values", Pos{"models/staging/schema.yml", 13, 13},
			`{values: ["placed", "shipped", "completed", "return_pending", "returned"]}`, `{severity: "warn"}`},
		{stg.Columns[2].Tests[0], "relationships", Pos{"models/staging/schema.yml", 19, 13},
			`{to: "ref('stg_customers')", field: "customer_id"}`, `{where: "status != 'returned'"}`},
	}
	for _, tt := range tests {
		if tt.got.Name != tt.name || tt.got.Pos != tt.pos || fmtValue(tt.got.Args) != tt.args || fmtValue(tt.got.Config) != tt.cfg {
			t.Errorf("test %s at %v args %s config %s; want %s at %v args %s config %s",
				tt.got.Name, tt.got.Pos, fmtValue(tt.got.Args), fmtValue(tt.got.Config), tt.name, tt.pos, tt.args, tt.cfg)
		}
	}
	if src := p.Sources[0]; src.Database != "raw" || src.Description != `{{ doc("raw_source") }}` || src.Tables[0].Identifier != "raw_orders" || src.Tables[1].Identifier != "customers" {
		t.Errorf("source = %+v", src)
	}
	if got := fmtValue(p.Vars); got != `{start_date: "2018-01-01", report_schema: "{{ env_var('REPORT_SCHEMA') }}", jaffle_shop: {payment_methods: ["credit_card", "coupon", "bank_transfer", "gift_card"]}}` {
		t.Errorf("vars = %s (vars must stay unrendered)", got)
	}
	if len(p.OnRunStart) != 2 || p.OnRunStart[1].Transaction || p.OnRunStart[0].Pos != (Pos{"dbt_project.yml", 27, 5}) {
		t.Errorf("on-run-start = %+v", p.OnRunStart)
	}
}

func TestLoadMissingDir(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope"), LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadRenderNil(t *testing.T) {
	p, err := Load("testdata/jaffle_shop", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.ConfigFor("models", []string{"jaffle_shop", "staging"}).Values["schema"]; got != "{{ env_var('STAGING_SCHEMA', 'staging') }}" {
		t.Errorf("schema = %v, want it unrendered", got)
	}
}

func patchNames(list []*Patch) []string {
	var out []string
	for _, p := range list {
		out = append(out, p.Name)
	}
	return out
}

// dumpProject writes what Load found, one fact per line, for goldens.
func dumpProject(p *Project) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("project %s (%s) version=%q config-version=%d profile=%q require-dbt-version=%q",
		p.Name, p.File, p.Version, p.ConfigVersion, p.Profile, p.RequireDbtVersion)
	w("paths: models=%q seeds=%q tests=%q macros=%q snapshots=%q analyses=%q docs=%q assets=%q",
		p.ModelPaths, p.SeedPaths, p.TestPaths, p.MacroPaths, p.SnapshotPaths, p.AnalysisPaths, p.DocsPaths, p.AssetPaths)
	w("target=%q log=%q packages=%q clean=%q", p.TargetPath, p.LogPath, p.PackagesInstallPath, p.CleanTargets)
	w("vars: %s", fmtValue(p.Vars))
	if p.Quoting != nil {
		keys := make([]string, 0, len(p.Quoting))
		for k := range p.Quoting {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			w("quoting %s=%v", k, p.Quoting[k])
		}
	}
	for _, d := range p.Dispatch {
		w("dispatch %s -> %q", d.MacroNamespace, d.SearchOrder)
	}
	for _, h := range p.OnRunStart {
		w("on-run-start %q transaction=%v @ %s", h.SQL, h.Transaction, h.Pos)
	}
	for _, h := range p.OnRunEnd {
		w("on-run-end %q transaction=%v @ %s", h.SQL, h.Transaction, h.Pos)
	}
	if p.HasQueryComment {
		w("query-comment: %s", fmtValue(p.QueryComment))
	}
	if p.Flags != nil {
		w("flags: %s", fmtValue(p.Flags))
	}
	trees := []struct {
		name string
		t    *ConfigTree
	}{{"models", p.Models}, {"seeds", p.Seeds}, {"tests", p.Tests}, {"snapshots", p.Snapshots}, {"sources", p.SourceConfigs}, {"analyses", p.Analyses}}
	for _, k := range sortedKeys(p.OtherConfigs) {
		trees = append(trees, struct {
			name string
			t    *ConfigTree
		}{k, p.OtherConfigs[k]})
	}
	for _, tr := range trees {
		dumpTree(&b, tr.name, tr.t, "")
	}
	lists := []struct {
		kind  string
		files []*File
	}{{"model", p.ModelFiles}, {"seed", p.SeedFiles}, {"snapshot", p.SnapshotFiles}, {"analysis", p.AnalysisFiles},
		{"test", p.TestFiles}, {"macro", p.MacroFiles}, {"doc", p.DocFiles}}
	for _, l := range lists {
		for _, f := range l.files {
			w("%s file %s name=%s dir=%s bytes=%d sha256=%s", l.kind, f.Path, f.Name(), f.Dir, len(f.Content), f.Checksum[:12])
		}
	}
	w("schema files: %q", p.SchemaFiles)
	patches := []struct {
		kind string
		list []*Patch
	}{{"model", p.ModelPatches}, {"seed", p.SeedPatches}, {"snapshot", p.SnapshotPatches}, {"analysis", p.AnalysisPatches}, {"macro", p.MacroPatches}}
	for _, pl := range patches {
		for _, pt := range pl.list {
			w("%s patch %s @ %s", pl.kind, pt.Name, pt.Pos)
			if pt.Description != "" {
				w("  description %q", pt.Description)
			}
			w("  config %s", fmtValue(pt.Config))
			if pt.Meta != nil {
				w("  meta %s", fmtValue(pt.Meta))
			}
			if pt.Docs != nil {
				w("  docs %s", fmtValue(pt.Docs))
			}
			if pt.LatestVersion != nil || pt.Versions != nil {
				w("  latest_version %s versions %s", fmtValue(pt.LatestVersion), fmtValue(pt.Versions))
			}
			if pt.Constraints != nil {
				w("  constraints %s", fmtValue(pt.Constraints))
			}
			if pt.Relation != "" {
				w("  relation %q", pt.Relation)
			}
			dumpTests(&b, "  ", pt.Tests)
			dumpColumns(&b, "  ", pt.Columns)
			for _, a := range pt.Arguments {
				w("  argument %s type=%q description=%q @ %s", a.Name, a.DataType, a.Description, a.Pos)
			}
		}
	}
	for _, s := range p.Sources {
		w("source %s database=%q schema=%q loader=%q loaded_at_field=%q @ %s", s.Name, s.Database, s.Schema, s.Loader, s.LoadedAtField, s.Pos)
		if s.Description != "" {
			w("  description %q", s.Description)
		}
		if s.Freshness != nil {
			w("  freshness %s", fmtValue(s.Freshness))
		}
		w("  config %s meta %s tags %q", fmtValue(s.Config), fmtValue(s.Meta), s.Tags)
		for _, t := range s.Tables {
			w("  table %s identifier=%q @ %s", t.Name, t.Identifier, t.Pos)
			if t.Freshness != nil || t.External != nil {
				w("    freshness %s external %s", fmtValue(t.Freshness), fmtValue(t.External))
			}
			dumpTests(&b, "    ", t.Tests)
			dumpColumns(&b, "    ", t.Columns)
		}
	}
	for _, x := range p.Exposures {
		w("exposure %s type=%q owner=%s depends_on=%q @ %s", x.Name, x.Type, fmtValue(x.Owner), x.DependsOn, x.Pos)
	}
	return b.String()
}

func dumpTree(b *strings.Builder, name string, t *ConfigTree, indent string) {
	if t == nil {
		return
	}
	if len(t.Configs.Keys) == 0 && len(t.Children) == 0 && indent == "" {
		return
	}
	fmt.Fprintf(b, "%s%s: %s @ %s\n", indent, name, fmtValue(t.Configs), t.Pos)
	for _, k := range sortedKeys(t.Children) {
		dumpTree(b, k, t.Children[k], indent+"  ")
	}
}

func dumpColumns(b *strings.Builder, indent string, cols []*Column) {
	for _, c := range cols {
		fmt.Fprintf(b, "%scolumn %s @ %s", indent, c.Name, c.Pos)
		if c.Description != "" {
			fmt.Fprintf(b, " description=%q", c.Description)
		}
		if c.DataType != "" {
			fmt.Fprintf(b, " data_type=%q", c.DataType)
		}
		if c.Quote != nil {
			fmt.Fprintf(b, " quote=%v", *c.Quote)
		}
		if c.Meta != nil {
			fmt.Fprintf(b, " meta=%s", fmtValue(c.Meta))
		}
		if c.Tags != nil {
			fmt.Fprintf(b, " tags=%q", c.Tags)
		}
		if c.Constraints != nil {
			fmt.Fprintf(b, " constraints=%s", fmtValue(c.Constraints))
		}
		b.WriteString("\n")
		dumpTests(b, indent+"  ", c.Tests)
	}
}

func dumpTests(b *strings.Builder, indent string, tests []*TestDef) {
	for _, t := range tests {
		fmt.Fprintf(b, "%stest %s args=%s config=%s", indent, t.Name, fmtValue(t.Args), fmtValue(t.Config))
		if t.CustomName != "" {
			fmt.Fprintf(b, " name=%q", t.CustomName)
		}
		if t.Description != "" {
			fmt.Fprintf(b, " description=%q", t.Description)
		}
		fmt.Fprintf(b, " @ %s\n", t.Pos)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// fmtValue prints a decoded value compactly, keys in order, strings quoted
// so that their type shows.
func fmtValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case *OrderedMap:
		if v == nil {
			return "null"
		}
		parts := make([]string, len(v.Keys))
		for i, k := range v.Keys {
			parts[i] = k + ": " + fmtValue(v.Values[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmtValue(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []*OrderedMap:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmtValue(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%v", v)
}

// Descriptions keep the position of their value, so that a problem found
// rendering one (a doc() of a missing block) points at it.
func TestDescriptionPos(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("dbt_project.yml", "name: p\nprofile: p\n")
	write("models/m.sql", "select 1 as id\n")
	write("models/schema.yml", `version: 2
models:
  - name: m
    description: "{{ doc('m') }}"
    columns:
      - name: id
        description: >
          the id
sources:
  - name: raw
    description: raw data
    tables:
      - name: t
        description: a table
`)
	p, err := Load(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := "models/schema.yml"
	for _, c := range []struct {
		what      string
		got, want Pos
	}{
		{"model", p.ModelPatches[0].DescriptionPos, Pos{f, 4, 18}},
		{"column", p.ModelPatches[0].Columns[0].DescriptionPos, Pos{f, 7, 22}},
		{"source", p.Sources[0].DescriptionPos, Pos{f, 11, 18}},
		{"source table", p.Sources[0].Tables[0].DescriptionPos, Pos{f, 14, 22}},
	} {
		if c.got != c.want {
			t.Errorf("%s description at %s, want %s", c.what, c.got, c.want)
		}
	}
}
