select {{ cents_to_dolars('amount') }} as amount
