
    
    



select order_id
from "jaffle"."dbt_alice"."orders"
where order_id is null


