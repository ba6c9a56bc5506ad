{# gmodel builtin macros: array_concat
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/array_concat.sql (Apache-2.0)
   from dbt-athena 1.9.5: dbt/include/athena/macros/utils/array_concat.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{% macro array_concat(array_1, array_2) -%}
  {{ return(adapter.dispatch('array_concat', 'dbt')(array_1, array_2)) }}
{%- endmacro %}

{% macro default__array_concat(array_1, array_2) -%}
    array_cat({{ array_1 }}, {{ array_2 }})
{%- endmacro %}

{% macro athena__array_concat(array_1, array_2) -%}
    {{ array_1 }} || {{ array_2 }}
{%- endmacro %}
