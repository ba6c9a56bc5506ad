{# gmodel builtin macros: array_append
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/array_append.sql (Apache-2.0)
   from dbt-athena 1.9.5: dbt/include/athena/macros/utils/array_append.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{% macro array_append(array, new_element) -%}
  {{ return(adapter.dispatch('array_append', 'dbt')(array, new_element)) }}
{%- endmacro %}

{% macro default__array_append(array, new_element) -%}
    array_append({{ array }}, {{ new_element }})
{%- endmacro %}

{% macro athena__array_append(array, new_element) -%}
    {{ array }} || {{ new_element }}
{%- endmacro %}
