{% macro inner(col) %}
  {{ exceptions.raise_compiler_error('inner() needs a column, got ' ~ col) }}
{% endmacro %}
