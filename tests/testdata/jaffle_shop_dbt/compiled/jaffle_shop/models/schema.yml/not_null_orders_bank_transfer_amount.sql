
    
    



select bank_transfer_amount
from "jaffle"."dbt_alice"."orders"
where bank_transfer_amount is null


