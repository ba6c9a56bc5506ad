select
  {{ nosuch() }} as x
from {{ ref('base') }}
