{% macro outer(col) %}
  coalesce({{ inner(col) }}, 0)
{% endmacro %}
