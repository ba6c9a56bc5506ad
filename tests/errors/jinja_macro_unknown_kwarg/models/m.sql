select {{ cents('amount', precision=4) }} as x
