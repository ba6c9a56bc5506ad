select 1 as id
{# a comment that never ends
from t
