
    
    



select credit_card_amount
from "jaffle"."dbt_alice"."orders"
where credit_card_amount is null


