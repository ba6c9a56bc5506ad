-- One row per stock code. The description is the most frequent one written
-- for the code (ties: alphabetical); prices are over sales lines only.
with descriptions as (

    select
        stock_code,
        description,
        count(*) as line_count
    from {{ ref('stg_transactions') }}
    where description is not null
    group by stock_code, description

),

best_description as (

    select
        stock_code,
        description,
        row_number() over (partition by stock_code order by line_count desc, description) as description_rank
    from descriptions

),

prices as (

    select
        stock_code,
        min(invoice_at) as first_sold_at,
        max(invoice_at) as last_sold_at,
        cast(avg(case when not is_cancellation and unit_price > 0 then unit_price end) as {{ dbt.type_numeric() }}) as avg_unit_price
    from {{ ref('stg_transactions') }}
    group by stock_code

)

select
    prices.stock_code as product_key,
    prices.stock_code,
    best_description.description,
    prices.avg_unit_price,
    prices.first_sold_at,
    prices.last_sold_at
from prices
left join best_description
    on best_description.stock_code = prices.stock_code
   and best_description.description_rank = 1
