package runner

import (
	"strings"
	"testing"
	"time"
)

func TestMapLine(t *testing.T) {
	jaffleOrders := `{% set payment_methods = ['credit_card', 'coupon'] %}

with orders as (

    select * from {{ ref('stg_orders') }}

),

order_payments as (

    select
        order_id,

        {% for payment_method in payment_methods -%}
        sum(case when payment_method = '{{ payment_method }}' then amount else 0 end) as {{ payment_method }}_amount,
        {% endfor -%}

        sum(amout) as total_amount

    from payments
    group by order_id
)

select * from order_payments
`
	jaffleCompiled := `

with orders as (

    select * from "db"."s"."stg_orders"

),

order_payments as (

    select
        order_id,

        sum(case when payment_method = 'credit_card' then amount else 0 end) as credit_card_amount,
        sum(case when payment_method = 'coupon' then amount else 0 end) as coupon_amount,
        sum(amout) as total_amount

    from payments
    group by order_id
)

select * from order_payments`
	for _, tc := range []struct {
		name     string
		raw      string
		compiled string
		find     string // the compiled line holding this text
		want     int
	}{
		{"identical", "select\n  a,\n  b\nfrom t", "select\n  a,\n  b\nfrom t", "b", 3},
		{"config line removed", "{{ config(materialized='table') }}\n\nselect\n  amout\nfrom {{ ref('x') }}", "\n\nselect\n  amout\nfrom \"db\".\"s\".\"x\"", "amout", 4},
		{"multi-line config", "{{\n  config(\n    materialized='table'\n  )\n}}\nselect bad_col\nfrom t", "\nselect bad_col\nfrom t", "bad_col", 6},
		{"after a loop", jaffleOrders, jaffleCompiled, "sum(amout)", 18},
		{"inside a loop", jaffleOrders, jaffleCompiled, "'coupon'", 15},
		{"ref substituted", jaffleOrders, jaffleCompiled, "stg_orders", 5},
		{"comment spanning lines", "{#\n a comment\n#}\nselect x\nfrom y", "\nselect x\nfrom y", "from y", 5},
		{"leading blank lines", "\n\n\nselect\n  nope\nfrom t\n", "select\n  nope\nfrom t", "nope", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := -1
			for i, l := range strings.Split(tc.compiled, "\n") {
				if strings.Contains(l, tc.find) {
					cl = i
					break
				}
			}
			if cl < 0 {
				t.Fatalf("%q not in the compiled SQL", tc.find)
			}
			if got := mapLine(tc.compiled, cl, tc.raw); got != tc.want {
				t.Errorf("line %d, want %d", got, tc.want)
			}
		})
	}
}

func TestByteOffset(t *testing.T) {
	s := "héllo\nwörld"
	for _, tc := range []struct{ chars, want int }{{0, 0}, {1, 1}, {2, 3}, {6, 7}, {11, 13}, {12, -1}, {-1, -1}} {
		if got := byteOffset(s, tc.chars); got != tc.want {
			t.Errorf("byteOffset(%d) = %d, want %d", tc.chars, got, tc.want)
		}
	}
}

func TestFancy(t *testing.T) {
	dots := func(n int) string { return strings.Repeat(".", n) }
	for _, tc := range []struct {
		got, want string
	}{
		// The message and a space, padded with dots to 80 characters.
		{fancy("START sql view model s.a", "RUN", 1, 12, nil), "1 of 12 START sql view model s.a " + dots(80-33) + " [RUN]"},
		{fancy("CANCEL query model.x.y", "CANCEL", 0, 0, nil), "CANCEL query model.x.y " + dots(80-23) + " [CANCEL]"},
		{fancy("OK créé", "SELECT 1", 2, 3, new(time.Duration)), "2 of 3 OK créé " + dots(80-15) + " [SELECT 1 in 0.00s]"},
		{fancy(strings.Repeat("x", 90), "RUN", 1, 1, nil), "1 of 1 " + strings.Repeat("x", 90) + "  [RUN]"},
	} {
		if tc.got != tc.want {
			t.Errorf("got  %q\nwant %q", tc.got, tc.want)
		}
	}
	if got := humanizeDuration(3723_450_000_000); got != " in 1 hours 2 minutes and 3.45 seconds (3723.45s)" {
		t.Errorf("humanize: %q", got)
	}
	if pluralize(1, "test") != "1 test" || pluralize(20, "test") != "20 data tests" || pluralize(2, "table model") != "2 table models" {
		t.Error("pluralize")
	}
}
