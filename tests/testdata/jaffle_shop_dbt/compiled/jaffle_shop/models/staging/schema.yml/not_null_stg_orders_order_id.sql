
    
    



select order_id
from "jaffle"."dbt_alice"."stg_orders"
where order_id is null


