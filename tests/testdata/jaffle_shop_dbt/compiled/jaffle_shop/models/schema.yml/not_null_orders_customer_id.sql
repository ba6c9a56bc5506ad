
    
    



select customer_id
from "jaffle"."dbt_alice"."orders"
where customer_id is null


