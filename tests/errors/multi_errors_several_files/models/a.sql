select * from {{ ref('custmers') }}
