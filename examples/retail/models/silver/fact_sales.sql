-- One row per invoice line that carries money. Cancellations stay, flagged
-- (is_cancellation, negative quantity and revenue), so net revenue is a plain
-- sum. Lines with a non-positive unit price (free samples, adjustments) and
-- lines whose quantity has the wrong sign (a sale with quantity <= 0, a
-- cancellation with quantity >= 0) are filtered out.
with lines as (

    select
        *,
        row_number() over (
            partition by invoice_no
            order by stock_code, quantity, unit_price, description
        ) as line_number
    from {{ ref('stg_transactions') }}

)

select
    {{ dbt.concat(["invoice_no", "'-'", "cast(line_number as " ~ dbt.type_string() ~ ")"]) }} as sales_line_key,
    invoice_no,
    line_number,
    invoice_at,
    cast({{ dbt.date_trunc('month', 'invoice_at') }} as date) as invoice_month,
    coalesce(customer_id, -1) as customer_key,
    stock_code,
    country,
    quantity,
    unit_price,
    cast(quantity * unit_price as {{ dbt.type_numeric() }}) as line_revenue,
    is_cancellation
from lines
where unit_price > 0
  and (
        (not is_cancellation and quantity > 0)
     or (is_cancellation and quantity < 0)
  )
