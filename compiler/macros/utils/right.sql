{# gmodel builtin macros: right
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/right.sql (Apache-2.0)
   from dbt-athena 1.9.5: dbt/include/athena/macros/utils/right.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{% macro right(string_text, length_expression) -%}
    {{ return(adapter.dispatch('right', 'dbt') (string_text, length_expression)) }}
{% endmacro %}

{% macro default__right(string_text, length_expression) %}

    right(
        {{ string_text }},
        {{ length_expression }}
    )

{%- endmacro -%}

{% macro athena__right(string_text, length_expression) %}
    case when {{ length_expression }} = 0
        then ''
    else
        substr({{ string_text }}, -1 * ({{ length_expression }}))
    end
{%- endmacro -%}
