{# gmodel builtin macros: safe_cast
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/safe_cast.sql (Apache-2.0)
   from dbt-athena 1.9.5: dbt/include/athena/macros/utils/safe_cast.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{% macro safe_cast(field, type) %}
  {{ return(adapter.dispatch('safe_cast', 'dbt') (field, type)) }}
{% endmacro %}

{% macro default__safe_cast(field, type) %}
    {# most databases don't support this function yet
    so we just need to use cast #}
    cast({{field}} as {{type}})
{% endmacro %}

{% macro athena__safe_cast(field, type) -%}
    try_cast({{field}} as {{type}})
{%- endmacro %}
