select * from {{ source('rwa', 'orders') }}
