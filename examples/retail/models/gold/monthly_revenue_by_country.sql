-- Revenue per calendar month and country: gross (sales), cancelled
-- (returned, as a positive amount) and net (gross minus cancelled).
select
    {{ dbt.concat(["cast(invoice_month as " ~ dbt.type_string() ~ ")", "'|'", "country"]) }} as month_country_key,
    invoice_month,
    country,
    count(distinct case when not is_cancellation then invoice_no end) as invoices,
    count(distinct case when not is_cancellation and customer_key <> -1 then customer_key end) as customers,
    sum(case when not is_cancellation then quantity else 0 end) as units_sold,
    sum(case when not is_cancellation then line_revenue else 0 end) as gross_revenue,
    -sum(case when is_cancellation then line_revenue else 0 end) as cancelled_revenue,
    sum(line_revenue) as net_revenue
from {{ ref('fact_sales') }}
group by invoice_month, country
