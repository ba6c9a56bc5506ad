select * from {{ source('raw', 'order') }}
