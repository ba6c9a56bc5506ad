create table "gold"."orders__gmodel_tmp"
with (
  table_type = 'ICEBERG',
  is_external = false,
  location = 's3://data/warehouse/gold/orders/0000-uuid/',
  format = 'PARQUET',
  write_compression = 'ZSTD',
  partitioning = ARRAY['day(order_date)', 'bucket(order_id, 4)'],
  optimize_rewrite_delete_file_threshold = 2,
  vacuum_max_snapshot_age_seconds = 86400
)
as
select order_id, amount, order_date
from "silver"."orders"