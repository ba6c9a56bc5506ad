select
  id,
  {% if var('flag', true) %}
  1 as x
from {{ ref('base') }}
