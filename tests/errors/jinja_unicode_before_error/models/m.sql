select 'café' as c, {{ nosuch() }} as x
