{# gmodel builtin macros: except
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/except.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{% macro except() %}
  {{ return(adapter.dispatch('except', 'dbt')()) }}
{% endmacro %}

{% macro default__except() %}

    except

{% endmacro %}
