select * from {{ ref('bsae') }}
