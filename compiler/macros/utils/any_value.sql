{# gmodel builtin macros: any_value
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/any_value.sql (Apache-2.0)
   from dbt-postgres 1.9.0: dbt/include/postgres/macros/utils/any_value.sql (Apache-2.0)
   from dbt-athena 1.9.5: dbt/include/athena/macros/utils/any_value.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{% macro any_value(expression) -%}
    {{ return(adapter.dispatch('any_value', 'dbt') (expression)) }}
{% endmacro %}

{% macro default__any_value(expression) -%}

    any_value({{ expression }})

{%- endmacro %}

{% macro postgres__any_value(expression) -%}

    min({{ expression }})

{%- endmacro %}

{% macro athena__any_value(expression) -%}
    arbitrary({{ expression }})
{%- endmacro %}
