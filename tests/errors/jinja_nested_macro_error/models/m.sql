select
  {{ outer(none) }} as amount
from {{ ref('base') }}
