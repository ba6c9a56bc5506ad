-- Net revenue must be the same in silver (every line of fact_sales) and in
-- gold (the sum over months and countries): a row returned is a failure.
with silver as (
    select coalesce(sum(line_revenue), 0) as revenue from {{ ref('fact_sales') }}
),

gold as (
    select coalesce(sum(net_revenue), 0) as revenue from {{ ref('monthly_revenue_by_country') }}
)

select silver.revenue as silver_revenue, gold.revenue as gold_revenue
from silver cross join gold
where abs(silver.revenue - gold.revenue) > 0.005
