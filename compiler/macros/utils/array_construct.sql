{# gmodel builtin macros: array_construct
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/array_construct.sql (Apache-2.0)
   from dbt-athena 1.9.5: dbt/include/athena/macros/utils/array_construct.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{# gmodel: api.Column.translate_type('integer') -> column_translate_type('integer') (utils/column_types.sql) #}

{% macro array_construct(inputs=[], data_type=column_translate_type('integer')) -%}
  {{ return(adapter.dispatch('array_construct', 'dbt')(inputs, data_type)) }}
{%- endmacro %}

{% macro default__array_construct(inputs, data_type) -%}
    {% if inputs|length > 0 %}
    array[ {{ inputs|join(' , ') }} ]
    {% else %}
    array[]::{{data_type}}[]
    {% endif %}
{%- endmacro %}

{% macro athena__array_construct(inputs, data_type) -%}
    {% if inputs|length > 0 %}
    array[ {{ inputs|join(' , ') }} ]
    {% else %}
    {{ safe_cast('array[]', 'array(' ~ data_type ~ ')') }}
    {% endif %}
{%- endmacro %}
