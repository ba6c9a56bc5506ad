select distinct "day", "country", "n" from (
select order_id, amount, order_date
from "silver"."orders"
) as gmodel_parts
order by "day", "country", "n";

select * from (
select order_id, amount, order_date
from "silver"."orders"
) as gmodel_batch
where ("day" = date '2024-01-31' and "country" = 'United Kingdom' and "n" = 1)
   or ("day" = date '2024-01-31' and "country" = 'O''Hara' and "n" is null);
