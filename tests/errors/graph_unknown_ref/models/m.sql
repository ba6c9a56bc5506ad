select *
from {{ ref('custmers') }}
