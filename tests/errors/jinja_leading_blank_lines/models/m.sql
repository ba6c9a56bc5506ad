



select
  {{ nosuch_thing() }} as x
