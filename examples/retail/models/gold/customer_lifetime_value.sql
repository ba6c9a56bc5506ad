-- Lifetime value and RFM segment of every known customer with at least one
-- sale. Recency is counted in days up to the day after the last invoice of
-- the data set; each of R, F and M is scored 1 (low) to 4 (high) by quartile.
with sales as (

    select * from {{ ref('fact_sales') }}
    where customer_key <> -1

),

as_of as (

    select {{ dbt.dateadd('day', 1, 'max(invoice_at)') }} as as_of_at
    from {{ ref('fact_sales') }}

),

per_customer as (

    select
        customer_key,
        min(case when not is_cancellation then invoice_at end) as first_purchase_at,
        max(case when not is_cancellation then invoice_at end) as last_purchase_at,
        count(distinct case when not is_cancellation then invoice_no end) as orders,
        sum(case when not is_cancellation then line_revenue else 0 end) as gross_revenue,
        sum(line_revenue) as lifetime_value
    from sales
    group by customer_key

),

scored as (

    select
        per_customer.*,
        {{ dbt.datediff('per_customer.last_purchase_at', 'as_of.as_of_at', 'day') }} as recency_days,
        5 - ntile(4) over (order by {{ dbt.datediff('per_customer.last_purchase_at', 'as_of.as_of_at', 'day') }}, customer_key) as recency_score,
        ntile(4) over (order by orders, customer_key) as frequency_score,
        ntile(4) over (order by lifetime_value, customer_key) as monetary_score
    from per_customer
    cross join as_of
    where per_customer.orders > 0

)

select
    *,
    case
        when recency_score >= 3 and frequency_score >= 3 and monetary_score >= 3 then 'champions'
        when frequency_score >= 3 and monetary_score >= 3 then 'loyal'
        when recency_score >= 3 and frequency_score <= 2 then 'promising'
        when recency_score <= 2 and frequency_score >= 3 then 'at_risk'
        else 'hibernating'
    end as rfm_segment
from scored
