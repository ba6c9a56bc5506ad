package jinja

import (
	"fmt"
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
