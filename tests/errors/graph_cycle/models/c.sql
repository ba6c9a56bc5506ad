select *
from {{ ref('b') }}
