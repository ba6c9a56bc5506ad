{# gmodel builtin macros: cast_bool_to_text
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/cast_bool_to_text.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{# gmodel: api.Column.translate_type('string') -> column_translate_type('string') (utils/column_types.sql) #}

{% macro cast_bool_to_text(field) %}
  {{ adapter.dispatch('cast_bool_to_text', 'dbt') (field) }}
{% endmacro %}

{% macro default__cast_bool_to_text(field) %}
    cast({{ field }} as {{ column_translate_type('string') }})
{% endmacro %}
