create or replace view "gold"."orders__gmodel_new" as
select order_id, amount, order_date
from "silver"."orders";

insert into "gold"."orders" ("order_id", "amount", "order date")
select "order_id", "amount", "order date" from "gold"."orders__gmodel_new";

merge into "gold"."orders" as DBT_INTERNAL_DEST
using "gold"."orders__gmodel_new" as DBT_INTERNAL_SOURCE
on (DBT_INTERNAL_DEST.order_date > date '2024-01-01')
  and DBT_INTERNAL_SOURCE.order_id = DBT_INTERNAL_DEST.order_id
when matched then update set "order_id" = DBT_INTERNAL_SOURCE."order_id", "amount" = DBT_INTERNAL_SOURCE."amount", "order date" = DBT_INTERNAL_SOURCE."order date"
when not matched then insert ("order_id", "amount", "order date")
values (DBT_INTERNAL_SOURCE."order_id", DBT_INTERNAL_SOURCE."amount", DBT_INTERNAL_SOURCE."order date");

merge into "gold"."orders" as DBT_INTERNAL_DEST
using "gold"."orders__gmodel_new" as DBT_INTERNAL_SOURCE
on FALSE
when not matched then insert ("order_id", "amount", "order date")
values (DBT_INTERNAL_SOURCE."order_id", DBT_INTERNAL_SOURCE."amount", DBT_INTERNAL_SOURCE."order date");

delete from "gold"."orders"
where exists (select 1 from "gold"."orders__gmodel_new" as DBT_INTERNAL_SOURCE where DBT_INTERNAL_SOURCE.k1 = "gold"."orders".k1 and DBT_INTERNAL_SOURCE.k2 = "gold"."orders".k2)
  and (k1 > 0);

alter table `gold`.`orders` add columns (`extra` string, `n` int);

alter table `gold`.`orders` drop column `gone`;

alter table `gold`.`orders` change column `amount` `amount` double;

alter table `gold`.`orders__gmodel_tmp` rename to `gold`.`orders`;

drop table if exists `gold`.`orders__gmodel_old`;

drop view if exists "gold"."orders__gmodel_new";

