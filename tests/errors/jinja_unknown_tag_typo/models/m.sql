select
{% fro c in ['a', 'b'] %}
  {{ c }},
{% endfor %}
1 as id
