{% macro pct(col) %}
  {{ col }} * 100 / {{ totals.amount }}
{% endmacro %}
