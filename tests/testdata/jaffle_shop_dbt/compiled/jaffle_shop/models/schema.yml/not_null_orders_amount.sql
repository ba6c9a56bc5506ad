
    
    



select amount
from "jaffle"."dbt_alice"."orders"
where amount is null


