select
{% for c in ['a', 'b'] %}
  '{{ c }}' as {{ c }},
select 1 as id
