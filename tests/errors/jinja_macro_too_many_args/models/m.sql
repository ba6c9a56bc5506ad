select {{ cents('amount', 2) }} as x
