package compiler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/project"
)

// writeProject writes files (path -> content) into a temp dir and loads it.
func writeProject(t *testing.T, files map[string]string) *project.Project {
	t.Helper()
	dir := t.TempDir()
	if _, ok := files["dbt_project.yml"]; !ok {
		files["dbt_project.yml"] = "name: p\nprofile: p\nconfig-version: 2\n"
	}
	for p, content := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := project.Load(dir, project.LoadOptions{})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return p
}

func compileProject(t *testing.T, p *project.Project) (*Manifest, error) {
	t.Helper()
	return Compile(p, Options{
		Target:       Target{Name: "dev", Profile: "p", Type: "postgres", Schema: "analytics", Database: "db", Threads: 2},
		InvocationID: "test",
	})
}

func mustCompile(t *testing.T, files map[string]string) *Manifest {
	t.Helper()
	m, err := compileProject(t, writeProject(t, files))
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return m
}

func nodeNamed(m *Manifest, name string) *Node {
	for _, n := range m.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// The Go renderings of unique and not_null must equal their macros' output.
func TestFastTestsMatchMacros(t *testing.T) {
	files := map[string]string{
		"models/a.sql": "select 1 as id",
		"models/schema.yml": `version: 2
models:
  - name: a
    columns:
      - name: id
        tests:
          - unique
          - not_null
          - not_null:
              name: custom_named
      - name: id2
        tests:
          - unique:
              config:
                where: "id > 0"
          - not_null:
              config:
                store_failures: true
                where: "1 = 1"
sources:
  - name: raw
    tables:
      - name: t
        columns:
          - name: k
            tests: [unique, not_null]
`,
	}
	fast := mustCompile(t, files)
	disableFastTests = true
	defer func() { disableFastTests = false }()
	slow := mustCompile(t, files)
	count := 0
	for _, n := range fast.Nodes {
		if n.ResourceType != Test {
			continue
		}
		s := slow.ByID[n.UniqueID]
		if s == nil {
			t.Fatalf("%s missing without fast path", n.UniqueID)
		}
		if n.CompiledCode != s.CompiledCode {
			t.Errorf("%s:\nfast: %q\nmacro: %q", n.Name, n.CompiledCode, s.CompiledCode)
		}
		if strings.Join(n.DependsOnNodes, ",") != strings.Join(s.DependsOnNodes, ",") ||
			strings.Join(n.DependsOnMacros, ",") != strings.Join(s.DependsOnMacros, ",") {
			t.Errorf("%s depends_on differ: %v %v / %v %v", n.Name, n.DependsOnNodes, n.DependsOnMacros, s.DependsOnNodes, s.DependsOnMacros)
		}
		count++
	}
	if count != 7 {
		t.Errorf("compared %d tests, want 7", count)
	}
	if n := nodeNamed(fast, "custom_named"); n == nil {
		t.Error("custom test name not used")
	}
}

func TestEphemeralCTEs(t *testing.T) {
	m := mustCompile(t, map[string]string{
		"models/e1.sql":    "{{ config(materialized='ephemeral') }}select 1 as x",
		"models/e2.sql":    "{{ config(materialized='ephemeral') }}select * from {{ ref('e1') }}",
		"models/top.sql":   "with y as (select * from {{ ref('e2') }})\nselect * from y",
		"models/plain.sql": "-- leading comment\nselect * from {{ ref('e1') }}",
		"models/rec.sql":   "WITH RECURSIVE r as (select * from {{ ref('e1') }}) select * from r",
	})
	// Expected strings are dbt-core 1.9.8's output for the same files.
	for name, want := range map[string]string{
		"top":   "with  __dbt__cte__e1 as (\nselect 1 as x\n),  __dbt__cte__e2 as (\nselect * from __dbt__cte__e1\n), y as (select * from __dbt__cte__e2)\nselect * from y",
		"plain": "with __dbt__cte__e1 as (\nselect 1 as x\n) -- leading comment\nselect * from __dbt__cte__e1",
		"rec":   "WITH RECURSIVE  __dbt__cte__e1 as (\nselect 1 as x\n), r as (select * from __dbt__cte__e1) select * from r",
	} {
		if got := nodeNamed(m, name).CompiledCode; got != want {
			t.Errorf("%s:\n%q\nwant\n%q", name, got, want)
		}
	}
	if e := nodeNamed(m, "e1"); e.RelationName != "" {
		t.Errorf("ephemeral has a relation name %q", e.RelationName)
	}
}

func TestRefInUntakenBranchIsNoDependency(t *testing.T) {
	m := mustCompile(t, map[string]string{
		"models/a.sql": "select 1",
		"models/b.sql": "select 2",
		"models/c.sql": "select * from {{ ref('a') if true else ref('b') }}",
	})
	c := nodeNamed(m, "c")
	if strings.Join(c.DependsOnNodes, ",") != "model.p.a" {
		t.Errorf("depends_on = %v, want only model.p.a", c.DependsOnNodes)
	}
}

func TestConfigPrecedence(t *testing.T) {
	m := mustCompile(t, map[string]string{
		"dbt_project.yml":   "name: p\nprofile: p\nmodels:\n  p:\n    +materialized: table\n    +schema: bronze\n    +tags: [a]\n",
		"models/x.sql":      "{{ config(schema='gold', tags=['c']) }}select 1",
		"models/schema.yml": "version: 2\nmodels:\n  - name: x\n    config:\n      materialized: incremental\n      tags: [b]\n",
	})
	x := nodeNamed(m, "x")
	if x.Materialized() != "incremental" {
		t.Errorf("materialized = %q (YAML beats project)", x.Materialized())
	}
	if x.Schema != "analytics_gold" {
		t.Errorf("schema = %q (config() beats project; default generate_schema_name)", x.Schema)
	}
	if strings.Join(x.Tags, ",") != "a,b,c" {
		t.Errorf("tags = %v, want a,b,c", x.Tags)
	}
}

func TestMedallionSchemaOverride(t *testing.T) {
	m := mustCompile(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: p\nmodels:\n  p:\n    silver:\n      +schema: silver\n",
		"macros/schema.sql": `{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}`,
		"models/silver/s.sql": "select 1",
		"models/g.sql":        "select * from {{ ref('s') }}",
	})
	if s := nodeNamed(m, "s"); s.Schema != "silver" {
		t.Errorf("schema = %q, want silver", s.Schema)
	}
	if g := nodeNamed(m, "g"); g.CompiledCode != `select * from "db"."silver"."s"` {
		t.Errorf("g = %q", g.CompiledCode)
	}
}

func TestCrossDatabaseMacrosDispatch(t *testing.T) {
	files := map[string]string{
		"models/m.sql": "select {{ dbt.dateadd('day', 1, 'd') | trim }}, {{ dbt.type_string() }}",
	}
	p := writeProject(t, files)
	for typ, want := range map[string]string{
		"postgres": "select d + ((interval '1 day') * (1)), TEXT",
		"athena":   "select date_add('day', 1, d), VARCHAR",
	} {
		m, err := Compile(p, Options{Target: Target{Name: "t", Type: typ, Schema: "s", Database: "db"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := nodeNamed(m, "m").CompiledCode; got != want {
			t.Errorf("%s: %q, want %q", typ, got, want)
		}
	}
}

func TestErrorsArePositioned(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"unknown ref", map[string]string{"models/a.sql": "select 1", "models/b.sql": "\n\nselect * from {{ ref('aa') }}"},
			[]string{"models/b.sql:3:", "ref('aa')", "did you mean 'a'"}},
		{"cycle", map[string]string{"models/a.sql": "select * from {{ ref('b') }}", "models/b.sql": "select * from {{ ref('a') }}"},
			[]string{"dependency cycle", "a (models/a.sql)", "b (models/b.sql)"}},
		{"duplicate", map[string]string{"models/x/a.sql": "select 1", "models/y/a.sql": "select 2"},
			[]string{"two nodes are named 'a'", "models/x/a.sql", "models/y/a.sql"}},
		{"undefined macro", map[string]string{"models/a.sql": "select {{ nosuch(1) }}"},
			[]string{"models/a.sql:1:", "nosuch"}},
		{"missing var", map[string]string{"models/a.sql": "select {{ var('v') }}"},
			[]string{"models/a.sql:1:", "required var 'v' not found"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compileProject(t, writeProject(t, tc.files))
			if err == nil {
				t.Fatal("expected an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err.Error(), w)
				}
			}
		})
	}
}

// A model that looks at `execute` is rendered again once parsing is done,
// with execute true, as dbt compiles it.
func TestExecuteRerender(t *testing.T) {
	m := mustCompile(t, map[string]string{
		"macros/m.sql": "{% macro phase() %}{% if execute %}run{% else %}parse{% endif %}{% endmacro %}",
		"models/a.sql": "select '{{ phase() }}' as p",
		"models/b.sql": "select {% if execute %}1{% else %}0{% endif %} as x",
		"models/c.sql": "select 2",
	})
	for name, want := range map[string]string{"a": "select 'run' as p", "b": "select 1 as x", "c": "select 2"} {
		if got := nodeNamed(m, name).CompiledCode; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if nodeNamed(m, "c").needsFinal {
		t.Error("a model that never looks at execute was rendered twice")
	}
}

func TestHooksRendered(t *testing.T) {
	m := mustCompile(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: p\non-run-start: \"create schema if not exists {{ target.schema }}_audit\"\nmodels:\n  p:\n    +pre-hook: \"select 1 from {{ this }}\"\n",
		"models/m.sql":    "{{ config(post_hook=[\"grant select on {{ this }} to reporter\", {'sql': 'vacuum {{ this }}', 'transaction': false}]) }}select 1",
	})
	n := nodeNamed(m, "m")
	if len(n.PreHooks) != 1 || n.PreHooks[0].SQL != `select 1 from "db"."analytics"."m"` {
		t.Errorf("pre-hooks = %+v", n.PreHooks)
	}
	if len(n.PostHooks) != 2 || n.PostHooks[0].SQL != `grant select on "db"."analytics"."m" to reporter` ||
		n.PostHooks[1].SQL != `vacuum "db"."analytics"."m"` || n.PostHooks[1].Transaction {
		t.Errorf("post-hooks = %+v", n.PostHooks)
	}
	if len(m.OnRunStart) != 1 || m.OnRunStart[0].SQL != "create schema if not exists analytics_audit" {
		t.Errorf("on-run-start = %+v", m.OnRunStart)
	}
	out, err := m.RenderSQL(nil, "dbt_project.yml", "{% for r in results %}{{ r }};{% endfor %}", map[string]any{"results": []any{"a", "b"}})
	if err != nil || out != "a;b;" {
		t.Errorf("RenderSQL = %q, %v", out, err)
	}
}
