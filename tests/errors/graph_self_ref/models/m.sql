select * from {{ ref('m') }}
