select
  {{ missing.attr }} as x
