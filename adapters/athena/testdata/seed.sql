create external table `bronze`.`raw__gmodel_upload` (`c0` string, `c1` string, `c2` string, `c3` string, `c4` string, `c5` string, `c6` string)
row format serde 'org.openx.data.jsonserde.JsonSerDe'
location 's3://data/warehouse/bronze/raw/_seed_csv/0000-uuid/';

select
  c0 as "invoiceno",
  cast(c1 as integer) as "quantity",
  cast(c2 as decimal(10,2)) as "unitprice",
  cast(c3 as date) as "day",
  cast(c4 as timestamp) as "at",
  cast(lower(c5) as boolean) as "flag",
  cast(c6 as double) as "ratio"
from "bronze"."raw__gmodel_upload";
