{% macro safe_div(a, b) %}
  {%- if b == 0 -%}
    {{ exceptions.raise_compiler_error('safe_div: divisor must not be 0') }}
  {%- endif -%}
  ({{ a }} / {{ b }})
{% endmacro %}
