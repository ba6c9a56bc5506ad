{# gmodel builtin macros: type_* data type macros
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/data_types.sql (Apache-2.0)
   from dbt-athena 1.9.5: dbt/include/athena/macros/utils/datatypes.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{# gmodel: api.Column.translate_type(x) -> column_translate_type(x) and
   api.Column.numeric_type(...) -> column_numeric_type(...) (utils/column_types.sql) #}

{%- macro type_string() -%}
  {{ return(adapter.dispatch('type_string', 'dbt')()) }}
{%- endmacro -%}

{% macro default__type_string() %}
    {{ return(column_translate_type("string")) }}
{% endmacro %}

{%- macro type_timestamp() -%}
  {{ return(adapter.dispatch('type_timestamp', 'dbt')()) }}
{%- endmacro -%}

{% macro default__type_timestamp() %}
    {{ return(column_translate_type("timestamp")) }}
{% endmacro %}

{%- macro type_float() -%}
  {{ return(adapter.dispatch('type_float', 'dbt')()) }}
{%- endmacro -%}

{% macro default__type_float() %}
    {{ return(column_translate_type("float")) }}
{% endmacro %}

{%- macro type_numeric() -%}
  {{ return(adapter.dispatch('type_numeric', 'dbt')()) }}
{%- endmacro -%}

{% macro default__type_numeric() %}
    {{ return(column_numeric_type("numeric", 28, 6)) }}
{% endmacro %}

{%- macro type_bigint() -%}
  {{ return(adapter.dispatch('type_bigint', 'dbt')()) }}
{%- endmacro -%}

{% macro default__type_bigint() %}
    {{ return(column_translate_type("bigint")) }}
{% endmacro %}

{%- macro type_int() -%}
  {{ return(adapter.dispatch('type_int', 'dbt')()) }}
{%- endmacro -%}

{%- macro default__type_int() -%}
  {{ return(column_translate_type("integer")) }}
{%- endmacro -%}

{%- macro type_boolean() -%}
  {{ return(adapter.dispatch('type_boolean', 'dbt')()) }}
{%- endmacro -%}

{%- macro default__type_boolean() -%}
  {{ return(column_translate_type("boolean")) }}
{%- endmacro -%}

{%- macro athena__type_float() -%}
    DOUBLE
{%- endmacro -%}

{%- macro athena__type_numeric() -%}
    DECIMAL(38,6)
{%- endmacro -%}

{%- macro athena__type_int() -%}
    INTEGER
{%- endmacro -%}

{%- macro athena__type_string() -%}
    VARCHAR
{%- endmacro -%}
