package jinja

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// benchModel is a realistic dbt model: config with kwargs, a loop over a
// list literal using loop.last, a macro call with kwargs and three ref()s.
const benchModel = `{{ config(
    materialized='incremental',
    unique_key='order_id',
    tags=['finance', 'daily'],
    partition_by={'field': 'order_date', 'data_type': 'date'}
) }}

{%- set payment_methods = ['credit_card', 'coupon', 'bank_transfer', 'gift_card'] -%}

{% macro cents_to_dollars(column, scale=2) -%}
    round({{ column }} / 100.0, {{ scale }})
{%- endmacro %}

with orders as (
    select * from {{ ref('stg_orders') }}
),

payments as (
    select * from {{ ref('stg_payments') }}
),

customers as (
    select * from {{ ref('stg_customers') }}
),

order_payments as (
    select
        order_id,
        {% for method in payment_methods -%}
        sum(case when payment_method = '{{ method }}' then amount else 0 end) as {{ method }}_amount{% if not loop.last %},{% endif %}
        {% endfor -%}
        , {{ cents_to_dollars('sum(amount)', scale=4) }} as total_amount
    from payments
    group by order_id
)

select o.*, c.first_name, op.total_amount
from orders o
left join order_payments op using (order_id)
left join customers c using (customer_id)
{% if is_incremental() %}where o.order_date > (select max(order_date) from {{ this }}){% endif %}
`

type benchRelation struct{ schema, name string }

func (r benchRelation) String() string { return fmt.Sprintf(`"analytics"."%s"."%s"`, r.schema, r.name) }

func (r benchRelation) Getattr(name string) (Value, bool) {
	switch name {
	case "schema":
		return r.schema, true
	case "name", "identifier":
		return r.name, true
	}
	return nil, false
}

func benchEnv() *Env {
	env := NewEnv()
	env.Globals["ref"] = Func(func(c *Call) (Value, error) {
		return benchRelation{schema: "dbt", name: ToString(c.Args[len(c.Args)-1])}, nil
	})
	env.Globals["config"] = Func(func(c *Call) (Value, error) { return "", nil })
	env.Globals["is_incremental"] = Func(func(c *Call) (Value, error) { return false, nil })
	return env
}

func BenchmarkRenderModel(b *testing.B) {
	env := benchEnv()
	vars := map[string]Value{"this": benchRelation{schema: "dbt", name: "orders"}}
	b.ReportAllocs()
	for b.Loop() {
		tpl, err := env.Parse("models/orders.sql", benchModel)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tpl.Render(vars, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseModel(b *testing.B) {
	env := benchEnv()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := env.Parse("models/orders.sql", benchModel); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderOnly(b *testing.B) {
	env := benchEnv()
	vars := map[string]Value{"this": benchRelation{schema: "dbt", name: "orders"}}
	tpl, err := env.Parse("models/orders.sql", benchModel)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Render(vars, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// benchProjectModel is a model of the generated 10k-model benchmark project
// (tests/benchgen): refs, project macros with keyword arguments, loops over
// list literals using loop.last.
const benchProjectModel = `-- gold_orders_08342: one row per customer, orders metrics from 3 silver models.

with facts as (

    select * from {{ ref('silver_subscriptions_05505') }}

),

other_1 as (

    select
        customer_id,
        sum(amount) as other_amount_1
    from {{ ref('silver_refunds_05312') }}
    group by customer_id

),

final as (

    select
        facts.customer_id as id,
        count(*) as row_count,
        {{ cents_to_dollars('sum(facts.amount) * 100', scale=2) }} as total_amount,
        {{ safe_divide(numerator='sum(facts.amount)', denominator='count(*)') }} as avg_amount,
        {{ ratio_003(expr='sum(facts.amount_adjusted)', denominator='5', precision=4) }} as adjusted_total,
        {% for col in ['other_amount_1', 'other_amount_2'] %}
        max(coalesce({{ col }}, 0)) as {{ col }},
        {% endfor %}
        {% for agg in ['min', 'max'] %}
        {{ agg }}(facts.updated_at) as {{ agg }}_updated_at{% if not loop.last %},{% endif %}
        {% endfor %}
    from facts
    left join other_1
        on facts.customer_id = other_1.customer_id
    where facts.customer_id is not null
    group by facts.customer_id

)

select * from final
`

var benchProjectMacros = []string{
	`{# Convert an integer amount in cents to a numeric amount in dollars. #}
{% macro cents_to_dollars(column_name, scale=2) -%}
    round(({{ column_name }} / 100.0)::numeric, {{ scale }})
{%- endmacro %}`,
	`{# Divide, returning fallback instead of failing on a zero denominator. #}
{% macro safe_divide(numerator, denominator, fallback=0) -%}
    coalesce(({{ numerator }})::numeric / nullif(({{ denominator }})::numeric, 0), {{ fallback }})
{%- endmacro %}

{% macro safe_percent(numerator, denominator, scale=2) -%}
    round(100 * {{ safe_divide(numerator=numerator, denominator=denominator) }}, {{ scale }})
{%- endmacro %}`,
	`{# Ratio of expr to denominator, rounded. #}
{% macro ratio_003(expr, denominator='1', precision=4) -%}
    round({{ safe_divide(numerator=expr, denominator=denominator) }}, {{ precision }})
{%- endmacro %}`,
}

func benchProjectEnv(b *testing.B) *Env {
	env := benchEnv()
	macros := map[string]*Macro{}
	for i, src := range benchProjectMacros {
		t, err := env.Parse(fmt.Sprintf("macros/m%d.sql", i), src)
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range t.Macros() {
			macros[m.Name] = m
		}
	}
	env.Resolve = func(_ *State, name string) (Value, bool) {
		m, ok := macros[name]
		return m, ok
	}
	return env
}

// BenchmarkProjectModel parses and renders a model of the benchmark
// project, as the compiler's parse render does.
func BenchmarkProjectModel(b *testing.B) {
	env := benchProjectEnv(b)
	vars := map[string]Value{"this": benchRelation{schema: "dbt", name: "orders"}}
	b.ReportAllocs()
	for b.Loop() {
		tpl, err := env.Parse("models/gold_orders.sql", benchProjectModel)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tpl.Render(vars, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProjectRenderOnly(b *testing.B) {
	env := benchProjectEnv(b)
	vars := map[string]Value{"this": benchRelation{schema: "dbt", name: "orders"}}
	tpl, err := env.Parse("models/gold_orders.sql", benchProjectModel)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Render(vars, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProjectDir parses and renders every model of a generated
// project (go run ./tests/benchgen/cmd/benchgen -out DIR), with its macros
// and a stand-in for ref/source/config: one op is the whole project. Set
// GMODEL_BENCH_PROJECT=DIR to run it.
func BenchmarkProjectDir(b *testing.B) {
	dir := os.Getenv("GMODEL_BENCH_PROJECT")
	if dir == "" {
		b.Skip("GMODEL_BENCH_PROJECT not set")
	}
	read := func(sub string) map[string]string {
		out := map[string]string{}
		filepath.WalkDir(filepath.Join(dir, sub), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".sql") {
				src, err := os.ReadFile(p)
				if err != nil {
					b.Fatal(err)
				}
				out[p] = string(src)
			}
			return nil
		})
		return out
	}
	env := benchEnv()
	env.Globals["source"] = env.Globals["ref"]
	macros := map[string]*Macro{}
	for p, src := range read("macros") {
		t, err := env.Parse(p, src)
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range t.Macros() {
			macros[m.Name] = m
		}
	}
	env.Resolve = func(_ *State, name string) (Value, bool) {
		m, ok := macros[name]
		return m, ok
	}
	models := read("models")
	paths := make([]string, 0, len(models))
	for p := range models {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	vars := map[string]Value{"this": benchRelation{schema: "dbt", name: "this"}}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range paths {
			tpl, err := env.Parse(p, models[p])
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tpl.Render(vars, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(paths)), "ns/model")
}
