create table "gold"."orders__gmodel_tmp"
with (
  table_type = 'HIVE',
  external_location = 's3://data/warehouse/gold/orders/0000-uuid/',
  format = 'TEXTFILE',
  field_delimiter = '|'
)
as
select order_id, amount, order_date
from "silver"."orders"