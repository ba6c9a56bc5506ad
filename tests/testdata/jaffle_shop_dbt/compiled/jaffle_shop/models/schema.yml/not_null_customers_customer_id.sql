
    
    



select customer_id
from "jaffle"."dbt_alice"."customers"
where customer_id is null


