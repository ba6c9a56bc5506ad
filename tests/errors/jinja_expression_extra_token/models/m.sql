select
  {{ ref('base') as x }}
from t
