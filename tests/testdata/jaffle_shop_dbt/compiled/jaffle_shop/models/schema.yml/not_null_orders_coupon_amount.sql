
    
    



select coupon_amount
from "jaffle"."dbt_alice"."orders"
where coupon_amount is null


