-- One row per customer seen in bronze, plus the unknown customer (key -1)
-- that stands for every line without a CustomerID. A customer's country is
-- the one most of their lines name (ties: alphabetical).
with by_country as (

    select
        customer_id,
        country,
        count(*) as line_count,
        min(invoice_at) as first_seen_at,
        max(invoice_at) as last_seen_at
    from {{ ref('stg_transactions') }}
    where customer_id is not null
    group by customer_id, country

),

ranked as (

    select
        *,
        row_number() over (partition by customer_id order by line_count desc, country) as country_rank,
        min(first_seen_at) over (partition by customer_id) as customer_first_seen_at,
        max(last_seen_at) over (partition by customer_id) as customer_last_seen_at
    from by_country

)

select
    customer_id as customer_key,
    customer_id,
    country,
    customer_first_seen_at as first_seen_at,
    customer_last_seen_at as last_seen_at,
    false as is_unknown
from ranked
where country_rank = 1

union all

select
    -1 as customer_key,
    cast(null as integer) as customer_id,
    'unknown' as country,
    cast(null as {{ dbt.type_timestamp() }}) as first_seen_at,
    cast(null as {{ dbt.type_timestamp() }}) as last_seen_at,
    true as is_unknown
