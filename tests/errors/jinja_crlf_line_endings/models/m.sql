select
  1 as id,
  {{ nosuch() }} as x
