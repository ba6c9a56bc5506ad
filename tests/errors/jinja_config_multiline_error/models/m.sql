{{ config(
    materialized='table',
    tags=['a', 'b'),
    schema='x'
) }}
select 1 as id
