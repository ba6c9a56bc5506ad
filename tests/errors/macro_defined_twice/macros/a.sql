{% macro cents(col) %}({{ col }} / 100){% endmacro %}
