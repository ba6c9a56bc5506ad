select
  {{ ref('base')
from t
