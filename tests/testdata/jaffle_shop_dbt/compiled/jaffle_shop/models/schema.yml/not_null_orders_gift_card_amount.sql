
    
    



select gift_card_amount
from "jaffle"."dbt_alice"."orders"
where gift_card_amount is null


