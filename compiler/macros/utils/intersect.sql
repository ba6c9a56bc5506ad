{# gmodel builtin macros: intersect
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/intersect.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{% macro intersect() %}
  {{ return(adapter.dispatch('intersect', 'dbt')()) }}
{% endmacro %}

{% macro default__intersect() %}

    intersect

{% endmacro %}
