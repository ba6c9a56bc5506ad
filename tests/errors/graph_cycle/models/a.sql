-- a depends on c
select * from {{ ref('c') }}
