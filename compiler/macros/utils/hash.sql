{# gmodel builtin macros: hash
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/hash.sql (Apache-2.0)
   from dbt-athena 1.9.5: dbt/include/athena/macros/utils/hash.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{# gmodel: api.Column.translate_type('string') -> column_translate_type('string') (utils/column_types.sql) #}

{% macro hash(field) -%}
  {{ return(adapter.dispatch('hash', 'dbt') (field)) }}
{%- endmacro %}

{% macro default__hash(field) -%}
    md5(cast({{ field }} as {{ column_translate_type('string') }}))
{%- endmacro %}

{% macro athena__hash(field) -%}
    lower(to_hex(md5(to_utf8(cast({{field}} as varchar)))))
{%- endmacro %}
