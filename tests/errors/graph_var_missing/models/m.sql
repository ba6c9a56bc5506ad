select *
from {{ ref('base') }}
where day >= '{{ var("start_date") }}'
