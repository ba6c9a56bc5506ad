select
  {{ pct('amount') }} as share
from {{ ref('base') }}
