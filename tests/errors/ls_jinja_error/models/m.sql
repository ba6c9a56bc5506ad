select {{ ref('base' }} as x
