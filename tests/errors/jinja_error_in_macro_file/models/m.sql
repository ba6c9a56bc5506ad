select
  {{ safe_div('a', 0) }} as ratio
from {{ ref('base') }}
