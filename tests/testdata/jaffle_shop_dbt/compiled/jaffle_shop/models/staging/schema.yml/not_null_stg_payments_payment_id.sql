
    
    



select payment_id
from "jaffle"."dbt_alice"."stg_payments"
where payment_id is null


