select
  {{ nosuch() }} as x
