{# gmodel builtin macros: bool_or
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/bool_or.sql (Apache-2.0)
   from dbt-athena 1.9.5: dbt/include/athena/macros/utils/bool_or.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{% macro bool_or(expression) -%}
    {{ return(adapter.dispatch('bool_or', 'dbt') (expression)) }}
{% endmacro %}

{% macro default__bool_or(expression) -%}

    bool_or({{ expression }})

{%- endmacro %}

{% macro athena__bool_or(expression) -%}
    bool_or({{ expression }})
{%- endmacro %}
