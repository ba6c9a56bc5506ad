select * from {{ ref('old') }}
