-- helpers

{% macro cents(col) %}{{ col }} / 100.0{% endmacro %}
