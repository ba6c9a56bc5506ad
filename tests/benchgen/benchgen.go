// Package benchgen writes large, deterministic dbt projects for benchmarks.
//
// A generated project has three model layers:
//
//	bronze (40%)  select from {{ source('raw', 'table_k') }}
//	silver (35%)  ref 2-3 bronze models
//	gold   (25%)  ref 2-3 silver models
//
// A model only refs models of the layer directly below it, so the ref graph
// cannot contain a cycle. The project also has 200 macro files under macros/,
// one schema yml per layer (a description plus unique and not_null tests on
// id for every model), a sources yml for the raw tables, dbt_project.yml and
// profiles.yml. The profile points at host db.invalid, which never resolves.
//
// The output depends only on the model count. No clock, no map iteration
// order and no global random source is used, so two runs produce identical
// bytes.
package benchgen

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ProjectName is the dbt project name (and profile name) of generated projects.
const ProjectName = "bench"

// MacroFiles is the number of files written under macros/.
const MacroFiles = 200

// Layers lists the model layers in dependency order. Models of Layers[i] only
// ref models of Layers[i-1]; bronze models read sources.
var Layers = []string{"bronze", "silver", "gold"}

var entities = []string{
	"customers", "orders", "payments", "products", "shipments", "invoices",
	"sessions", "refunds", "subscriptions", "accounts", "carts", "reviews",
}

// Model describes one generated model.
type Model struct {
	Name  string
	Layer string   // "bronze", "silver" or "gold"
	Refs  []string // models it refs (empty for bronze)
	Srcs  []string // raw tables it reads (bronze only)
}

// Plan is the full, deterministic layout of a generated project.
type Plan struct {
	Models    []Model
	Tables    []string   // raw source tables, table_0 ...
	macros    []macroDef // generated macros (core macros excluded)
	byLayer   map[string][]int
	nameWidth int
}

// LayerSizes returns how many of n models go to bronze, silver and gold
// (40%/35%/25%, each layer at least one model).
func LayerSizes(n int) (bronze, silver, gold int) {
	bronze = n * 40 / 100
	silver = n * 35 / 100
	if bronze < 1 {
		bronze = 1
	}
	if silver < 1 {
		silver = 1
	}
	gold = n - bronze - silver
	for gold < 1 && bronze > 1 {
		bronze--
		gold++
	}
	for gold < 1 && silver > 1 {
		silver--
		gold++
	}
	return bronze, silver, gold
}

// NewPlan computes the layout for n models (n >= 3).
func NewPlan(n int) (*Plan, error) {
	if n < 3 {
		return nil, fmt.Errorf("benchgen: need at least 3 models (one per layer), got %d", n)
	}
	nb, ns, ng := LayerSizes(n)
	p := &Plan{byLayer: map[string][]int{}}
	p.nameWidth = len(strconv.Itoa(n))
	if p.nameWidth < 5 {
		p.nameWidth = 5
	}

	nt := (nb + 1) / 2 // about two bronze models per raw table
	for k := 0; k < nt; k++ {
		p.Tables = append(p.Tables, "table_"+strconv.Itoa(k))
	}
	p.macros = macroCatalog(MacroFiles - len(coreMacroFiles))

	counts := []int{nb, ns, ng}
	idx := 0
	for li, layer := range Layers {
		for j := 0; j < counts[li]; j++ {
			m := Model{
				Name:  fmt.Sprintf("%s_%s_%0*d", layer, entities[idx%len(entities)], p.nameWidth, idx+1),
				Layer: layer,
			}
			h := mix(uint64(idx) + 1)
			if li == 0 {
				primary := j % nt
				m.Srcs = []string{p.Tables[primary]}
				if j%2 == 0 && nt > 1 {
					second := int(h % uint64(nt))
					if second == primary {
						second = (second + 1) % nt
					}
					m.Srcs = append(m.Srcs, p.Tables[second])
				}
			} else {
				below := p.byLayer[Layers[li-1]]
				want := 2 + int(h%2) // 2 or 3 refs
				if want > len(below) {
					want = len(below)
				}
				seen := map[int]bool{}
				for r := 0; len(m.Refs) < want; r++ {
					pick := below[int(mix(h+uint64(r)*0x9e37)%uint64(len(below)))]
					if seen[pick] {
						// linear probe keeps it deterministic and terminating
						for seen[pick] {
							pos := indexOf(below, pick)
							pick = below[(pos+1)%len(below)]
						}
					}
					seen[pick] = true
					m.Refs = append(m.Refs, p.Models[pick].Name)
				}
			}
			p.byLayer[layer] = append(p.byLayer[layer], len(p.Models))
			p.Models = append(p.Models, m)
			idx++
		}
	}
	return p, nil
}

func indexOf(xs []int, v int) int {
	for i, x := range xs {
		if x == v {
			return i
		}
	}
	return -1
}

// mix is splitmix64: a fixed, well-distributed hash used for every
// "random" choice so the output never depends on a global RNG.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Generate writes a dbt project with the given number of models into dir.
// dir is created if missing and must be empty if it exists.
func Generate(dir string, models int) error {
	p, err := NewPlan(models)
	if err != nil {
		return err
	}
	if err := ensureEmptyDir(dir); err != nil {
		return err
	}
	w := &writer{root: dir}

	w.file("dbt_project.yml", dbtProjectYML)
	w.file("profiles.yml", profilesYML)

	for _, cm := range coreMacroFiles {
		w.file(filepath.Join("macros", cm.path), cm.body)
	}
	for _, md := range p.macros {
		w.file(filepath.Join("macros", md.kind, md.name+".sql"), md.file())
	}

	for i := range p.Models {
		m := &p.Models[i]
		w.file(filepath.Join("models", m.Layer, m.Name+".sql"), p.modelSQL(i))
	}
	for _, layer := range Layers {
		w.file(filepath.Join("models", layer, "_"+layer+"__models.yml"), p.schemaYML(layer))
	}
	w.file(filepath.Join("models", "bronze", "_raw__sources.yml"), p.sourcesYML())
	return w.err
}

func ensureEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return os.MkdirAll(dir, 0o755)
	case err != nil:
		return err
	case len(entries) > 0:
		return fmt.Errorf("benchgen: output directory %s is not empty", dir)
	}
	return nil
}

type writer struct {
	root string
	err  error
}

func (w *writer) file(rel, content string) {
	if w.err != nil {
		return
	}
	path := filepath.Join(w.root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		w.err = err
		return
	}
	w.err = os.WriteFile(path, []byte(content), 0o644)
}

const dbtProjectYML = `name: 'bench'
version: '1.0.0'
config-version: 2

profile: 'bench'

model-paths: ["models"]
macro-paths: ["macros"]
seed-paths: ["seeds"]
test-paths: ["tests"]
analysis-paths: ["analyses"]

target-path: "target"
clean-targets:
  - "target"
  - "dbt_packages"

models:
  bench:
    bronze:
      +materialized: view
      +schema: bronze
      +tags: ['bronze']
    silver:
      +materialized: table
      +schema: silver
      +tags: ['silver']
    gold:
      +materialized: table
      +schema: gold
      +tags: ['gold']
`

const profilesYML = `# Benchmark profile. db.invalid never resolves (RFC 6761), so nothing can
# connect by accident.
bench:
  target: dev
  outputs:
    dev:
      type: postgres
      host: db.invalid
      port: 5432
      user: bench
      password: "{{ env_var('BENCH_PASSWORD', 'bench-never-printed') }}"
      dbname: bench
      schema: bench
      threads: 8
`

// ---------------------------------------------------------------- models

func (p *Plan) modelSQL(i int) string {
	m := p.Models[i]
	h := mix(uint64(i)*31 + 7)
	var b strings.Builder
	entity := entities[i%len(entities)]

	if i%3 == 0 {
		mat := "table"
		if m.Layer == "gold" && i%2 == 0 {
			mat = "view"
		}
		fmt.Fprintf(&b, "{{\n    config(\n        materialized='%s',\n        tags=['%s', '%s']\n    )\n}}\n\n", mat, m.Layer, entity)
	}
	gm := p.macros[int(h%uint64(len(p.macros)))]

	switch m.Layer {
	case "bronze":
		fmt.Fprintf(&b, "-- %s: source-conformed %s from raw.%s, lightly cleaned.\n\n", m.Name, entity, m.Srcs[0])
		fmt.Fprintf(&b, "with source as (\n\n    select * from {{ source('raw', '%s') }}\n\n),\n\n", m.Srcs[0])
		join := ""
		statusExpr := "source.status"
		if len(m.Srcs) > 1 {
			fmt.Fprintf(&b, "lookup as (\n\n    select id, status as lookup_status\n    from {{ source('raw', '%s') }}\n    where status is not null\n\n),\n\n", m.Srcs[1])
			join = "    left join lookup\n        on source.id = lookup.id\n"
			statusExpr = "coalesce(lookup.lookup_status, source.status)"
		}
		b.WriteString("renamed as (\n\n    select\n")
		b.WriteString("        source.id,\n        source.customer_id,\n")
		fmt.Fprintf(&b, "        lower(trim(%s)) as status,\n", statusExpr)
		b.WriteString("        {{ cents_to_dollars('source.amount_cents', scale=2) }} as amount,\n")
		fmt.Fprintf(&b, "        {{ %s }} as amount_adjusted,\n", gm.call("source.amount_cents"))
		b.WriteString("        nullif(trim(source.note), '') as note,\n")
		b.WriteString("        {% for col in ['created_at', 'updated_at'] %}\n")
		b.WriteString("        cast(source.{{ col }} as timestamp) as {{ col }}{% if not loop.last %},{% endif %}\n")
		b.WriteString("        {% endfor %}\n")
		b.WriteString("    from source\n")
		b.WriteString(join)
		b.WriteString("    where source.id is not null\n\n)\n\nselect * from renamed\n")

	case "silver":
		fmt.Fprintf(&b, "-- %s: conformed %s built from %d bronze models.\n\n", m.Name, entity, len(m.Refs))
		fmt.Fprintf(&b, "with base as (\n\n    select * from {{ ref('%s') }}\n\n),\n\n", m.Refs[0])
		var cols []string
		for k, r := range m.Refs[1:] {
			n := k + 1
			fmt.Fprintf(&b, "enrich_%d as (\n\n    select\n        id,\n        amount as amount_%d,\n        status as status_%d\n    from {{ ref('%s') }}\n\n),\n\n", n, n, n, r)
			cols = append(cols, fmt.Sprintf("'amount_%d'", n))
		}
		status, denom := "base.status", "1"
		if len(m.Refs) > 1 {
			status, denom = "coalesce(base.status, enrich_1.status_1)", "enrich_1.amount_1"
		}
		b.WriteString("joined as (\n\n    select\n")
		b.WriteString("        base.id,\n        base.customer_id,\n")
		fmt.Fprintf(&b, "        %s as status,\n", status)
		b.WriteString("        base.amount,\n")
		fmt.Fprintf(&b, "        {{ safe_divide(numerator='base.amount', denominator='%s') }} as amount_ratio,\n", denom)
		fmt.Fprintf(&b, "        {{ %s }} as amount_adjusted,\n", gm.call("base.amount * 100"))
		fmt.Fprintf(&b, "        {%% for col in [%s] %%}\n", strings.Join(cols, ", "))
		b.WriteString("        coalesce({{ col }}, 0) as {{ col }},\n")
		b.WriteString("        {% endfor %}\n")
		b.WriteString("        {% for col in ['created_at', 'updated_at'] %}\n")
		b.WriteString("        base.{{ col }}{% if not loop.last %},{% endif %}\n")
		b.WriteString("        {% endfor %}\n")
		b.WriteString("    from base\n")
		for k := range m.Refs[1:] {
			fmt.Fprintf(&b, "    left join enrich_%d\n        on base.id = enrich_%d.id\n", k+1, k+1)
		}
		b.WriteString("\n)\n\nselect * from joined\n")

	case "gold":
		fmt.Fprintf(&b, "-- %s: one row per customer, %s metrics from %d silver models.\n\n", m.Name, entity, len(m.Refs))
		fmt.Fprintf(&b, "with facts as (\n\n    select * from {{ ref('%s') }}\n\n),\n\n", m.Refs[0])
		var cols []string
		for k, r := range m.Refs[1:] {
			n := k + 1
			fmt.Fprintf(&b, "other_%d as (\n\n    select\n        customer_id,\n        sum(amount) as other_amount_%d\n    from {{ ref('%s') }}\n    group by customer_id\n\n),\n\n", n, n, r)
			cols = append(cols, fmt.Sprintf("'other_amount_%d'", n))
		}
		b.WriteString("final as (\n\n    select\n")
		b.WriteString("        facts.customer_id as id,\n")
		b.WriteString("        count(*) as row_count,\n")
		b.WriteString("        {{ cents_to_dollars('sum(facts.amount) * 100', scale=2) }} as total_amount,\n")
		b.WriteString("        {{ safe_divide(numerator='sum(facts.amount)', denominator='count(*)') }} as avg_amount,\n")
		fmt.Fprintf(&b, "        {{ %s }} as adjusted_total,\n", gm.call("sum(facts.amount_adjusted)"))
		fmt.Fprintf(&b, "        {%% for col in [%s] %%}\n", strings.Join(cols, ", "))
		b.WriteString("        max(coalesce({{ col }}, 0)) as {{ col }},\n")
		b.WriteString("        {% endfor %}\n")
		b.WriteString("        {% for agg in ['min', 'max'] %}\n")
		b.WriteString("        {{ agg }}(facts.updated_at) as {{ agg }}_updated_at{% if not loop.last %},{% endif %}\n")
		b.WriteString("        {% endfor %}\n")
		b.WriteString("    from facts\n")
		for k := range m.Refs[1:] {
			fmt.Fprintf(&b, "    left join other_%d\n        on facts.customer_id = other_%d.customer_id\n", k+1, k+1)
		}
		b.WriteString("    where facts.customer_id is not null\n")
		b.WriteString("    group by facts.customer_id\n\n)\n\nselect * from final\n")
	}
	return b.String()
}

// ------------------------------------------------------------------ yaml

func (p *Plan) schemaYML(layer string) string {
	var b strings.Builder
	b.WriteString("version: 2\n\nmodels:\n")
	for _, i := range p.byLayer[layer] {
		m := p.Models[i]
		var desc string
		switch layer {
		case "bronze":
			desc = fmt.Sprintf("Source-conformed copy of raw.%s (%s), amounts converted from cents.", m.Srcs[0], strings.Join(m.Srcs, ", "))
		case "silver":
			desc = fmt.Sprintf("Conformed %s joining %s.", entities[i%len(entities)], strings.Join(m.Refs, ", "))
		default:
			desc = fmt.Sprintf("Customer-level %s metrics aggregated from %s.", entities[i%len(entities)], strings.Join(m.Refs, ", "))
		}
		fmt.Fprintf(&b, "  - name: %s\n    description: \"%s\"\n    columns:\n", m.Name, desc)
		b.WriteString("      - name: id\n        description: \"Primary key.\"\n        tests:\n          - unique\n          - not_null\n")
		if i != p.byLayer[layer][len(p.byLayer[layer])-1] {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func (p *Plan) sourcesYML() string {
	var b strings.Builder
	b.WriteString("version: 2\n\nsources:\n  - name: raw\n    description: \"Raw tables landed by the loader.\"\n    schema: raw\n    tables:\n")
	for _, t := range p.Tables {
		fmt.Fprintf(&b, "      - name: %s\n        description: \"Raw feed %s.\"\n", t, t)
		b.WriteString("        columns:\n          - name: id\n          - name: customer_id\n          - name: status\n          - name: amount_cents\n          - name: note\n          - name: created_at\n          - name: updated_at\n")
	}
	return b.String()
}

// ---------------------------------------------------------------- macros

type coreMacro struct{ path, body string }

var coreMacroFiles = []coreMacro{
	{"cents_to_dollars.sql", `{# Convert an integer amount in cents to a numeric amount in dollars. #}
{% macro cents_to_dollars(column_name, scale=2) -%}
    round(({{ column_name }} / 100.0)::numeric, {{ scale }})
{%- endmacro %}
`},
	{"safe_divide.sql", `{# Divide, returning fallback instead of failing on a zero denominator. #}
{% macro safe_divide(numerator, denominator, fallback=0) -%}
    coalesce(({{ numerator }})::numeric / nullif(({{ denominator }})::numeric, 0), {{ fallback }})
{%- endmacro %}

{% macro safe_percent(numerator, denominator, scale=2) -%}
    round(100 * {{ safe_divide(numerator=numerator, denominator=denominator) }}, {{ scale }})
{%- endmacro %}
`},
}

var macroKinds = []string{"clamp", "bucket", "money", "ratio", "nz", "scaled", "chain"}

type macroDef struct {
	kind  string
	name  string
	index int
	calls *macroDef // macro it calls (chain kind only)
}

func macroCatalog(n int) []macroDef {
	defs := make([]macroDef, n)
	for j := 0; j < n; j++ {
		kind := macroKinds[j%len(macroKinds)]
		defs[j] = macroDef{kind: kind, name: fmt.Sprintf("%s_%03d", kind, j), index: j}
	}
	for j := range defs {
		if defs[j].kind == "chain" {
			// Only call a macro with a lower index, never another chain
			// macro: macro calls cannot recurse.
			t := int(mix(uint64(j)) % uint64(j))
			for defs[t].kind == "chain" {
				t--
			}
			defs[j].calls = &defs[t]
		}
	}
	return defs
}

// call returns a call of the macro on a SQL expression, with keyword
// arguments, as it appears inside {{ ... }}.
func (m *macroDef) call(expr string) string {
	switch m.kind {
	case "clamp":
		return fmt.Sprintf("%s(expr='%s', low=0, high=%d)", m.name, expr, 100000+m.index)
	case "bucket":
		return fmt.Sprintf("%s(expr='%s', size=%d)", m.name, expr, 10+m.index%90)
	case "money":
		return fmt.Sprintf("%s(expr='%s', scale=2)", m.name, expr)
	case "ratio":
		return fmt.Sprintf("%s(expr='%s', denominator='%d', precision=4)", m.name, expr, 2+m.index%7)
	case "nz":
		return fmt.Sprintf("%s(expr='%s', fallback=0)", m.name, expr)
	case "scaled":
		return fmt.Sprintf("%s(expr='%s', factor=1.5, offset=%d)", m.name, expr, m.index%10)
	default: // chain
		return fmt.Sprintf("%s(expr='%s', factor=2)", m.name, expr)
	}
}

func (m *macroDef) file() string {
	var b strings.Builder
	switch m.kind {
	case "clamp":
		fmt.Fprintf(&b, "{# Clamp a numeric expression into [low, high]. #}\n")
		fmt.Fprintf(&b, "{%% macro %s(expr, low=0, high=100000) -%%}\n    least(greatest({{ expr }}, {{ low }}), {{ high }})\n{%%- endmacro %%}\n\n", m.name)
		fmt.Fprintf(&b, "{%% macro %s_pct(expr, scale=2) -%%}\n    round(100 * {{ %s(expr=expr, low=0, high=1) }}, {{ scale }})\n{%%- endmacro %%}\n", m.name, m.name)
	case "bucket":
		fmt.Fprintf(&b, "{# Round an expression down to a multiple of size. #}\n")
		fmt.Fprintf(&b, "{%% macro %s(expr, size=10, offset=0) -%%}\n    (floor((({{ expr }}) - {{ offset }}) / {{ size }}) * {{ size }} + {{ offset }})\n{%%- endmacro %%}\n", m.name)
	case "money":
		fmt.Fprintf(&b, "{# Amount in cents to dollars, never null. #}\n")
		fmt.Fprintf(&b, "{%% macro %s(expr, scale=2) -%%}\n    coalesce({{ cents_to_dollars(expr, scale=scale) }}, 0)\n{%%- endmacro %%}\n", m.name)
	case "ratio":
		fmt.Fprintf(&b, "{# Ratio of expr to denominator, rounded. #}\n")
		fmt.Fprintf(&b, "{%% macro %s(expr, denominator='1', precision=4) -%%}\n    round({{ safe_divide(numerator=expr, denominator=denominator) }}, {{ precision }})\n{%%- endmacro %%}\n\n", m.name)
		fmt.Fprintf(&b, "{%% macro %s_pct(expr, denominator='1') -%%}\n    {{ safe_percent(expr, denominator, scale=1) }}\n{%%- endmacro %%}\n", m.name)
	case "nz":
		fmt.Fprintf(&b, "{# Replace null with a fallback value. #}\n")
		fmt.Fprintf(&b, "{%% macro %s(expr, fallback=0) -%%}\n    coalesce({{ expr }}, {{ fallback }})\n{%%- endmacro %%}\n", m.name)
	case "scaled":
		fmt.Fprintf(&b, "{# Linear transform: expr * factor + offset. #}\n")
		fmt.Fprintf(&b, "{%% macro %s(expr, factor=1, offset=0) -%%}\n    (({{ expr }}) * {{ factor }} + {{ offset }})\n{%%- endmacro %%}\n", m.name)
	case "chain":
		fmt.Fprintf(&b, "{# Builds on %s. #}\n", m.calls.name)
		fmt.Fprintf(&b, "{%% macro %s(expr, factor=2) -%%}\n    ({{ %s }} * {{ factor }})\n{%%- endmacro %%}\n", m.name, m.calls.callInMacro("expr"))
	}
	return b.String()
}

// callInMacro is like call but passes a Jinja variable instead of a string
// literal, for use inside another macro's body.
func (m *macroDef) callInMacro(v string) string {
	return strings.Replace(m.call("\x00"), "'\x00'", v, 1)
}
