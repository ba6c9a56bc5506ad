-- Bronze staging: the raw seed, typed and renamed to snake_case. One row per
-- CSV line; nothing is filtered here.
select
    invoiceno as invoice_no,
    stockcode as stock_code,
    description,
    quantity,
    {{ parse_invoice_date('invoicedate') }} as invoice_at,
    {{ dbt.safe_cast('unitprice', dbt.type_numeric()) }} as unit_price,
    customerid as customer_id,
    country,
    invoiceno like 'C%' as is_cancellation
from {{ ref('raw_transactions') }}
