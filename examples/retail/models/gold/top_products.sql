-- The 100 products with the highest net revenue (ties: stock code).
with per_product as (

    select
        stock_code,
        sum(case when not is_cancellation then quantity else 0 end) as units_sold,
        count(distinct case when not is_cancellation then invoice_no end) as invoices,
        sum(line_revenue) as net_revenue
    from {{ ref('fact_sales') }}
    group by stock_code

),

ranked as (

    select
        *,
        row_number() over (order by net_revenue desc, stock_code) as revenue_rank
    from per_product

)

select
    ranked.revenue_rank,
    ranked.stock_code,
    dim_products.description,
    ranked.units_sold,
    ranked.invoices,
    ranked.net_revenue
from ranked
join {{ ref('dim_products') }} as dim_products
    on dim_products.product_key = ranked.stock_code
where ranked.revenue_rank <= 100
