{# gmodel builtin macros: date_trunc
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/date_trunc.sql (Apache-2.0)
   from dbt-athena 1.9.5: dbt/include/athena/macros/utils/date_trunc.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{% macro date_trunc(datepart, date) -%}
  {{ return(adapter.dispatch('date_trunc', 'dbt') (datepart, date)) }}
{%- endmacro %}

{% macro default__date_trunc(datepart, date) -%}
    date_trunc('{{datepart}}', {{date}})
{%- endmacro %}

{% macro athena__date_trunc(datepart, date) -%}
    date_trunc('{{datepart}}', {{date}})
{%- endmacro %}
