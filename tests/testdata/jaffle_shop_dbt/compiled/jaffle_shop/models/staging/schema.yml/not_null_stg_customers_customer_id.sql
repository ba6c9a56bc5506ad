
    
    



select customer_id
from "jaffle"."dbt_alice"."stg_customers"
where customer_id is null


