create table "gold"."orders__gmodel_tmp"
with (
  table_type = 'HIVE',
  external_location = 's3://data/warehouse/gold/orders/0000-uuid/',
  format = 'PARQUET',
  partitioned_by = ARRAY['order_date', 'country']
)
as
select order_id, amount, order_date
from "silver"."orders"