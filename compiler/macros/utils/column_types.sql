{# gmodel builtin macros: stand-ins for dbt's api.Column class methods, which gmodel's
   template context does not provide. They reproduce, per adapter type, what
   Column.translate_type / Column.numeric_type return in
   dbt-adapters 1.9.0: dbt/adapters/base/column.py (Column, also used unchanged by
   dbt-postgres 1.9.0: dbt/adapters/postgres/column.py PostgresColumn) and
   dbt-athena 1.9.5: dbt/adapters/athena/column.py (AthenaColumn).
   (all Apache-2.0); see README.md in this directory.

   translate_type(dtype) = TYPE_LABELS.get(dtype.upper(), dtype)
     Column / PostgresColumn TYPE_LABELS: STRING -> TEXT
     AthenaColumn TYPE_LABELS:            STRING -> VARCHAR, TEXT -> VARCHAR
   Any other type name is returned unchanged (same case as given). #}

{% macro column_translate_type(dtype) -%}
  {{ return(adapter.dispatch('column_translate_type', 'dbt')(dtype)) }}
{%- endmacro %}

{% macro default__column_translate_type(dtype) -%}
  {%- set type_labels = {'STRING': 'TEXT'} -%}
  {{ return(type_labels.get(dtype | upper, dtype)) }}
{%- endmacro %}

{% macro athena__column_translate_type(dtype) -%}
  {%- set type_labels = {'STRING': 'VARCHAR', 'TEXT': 'VARCHAR'} -%}
  {{ return(type_labels.get(dtype | upper, dtype)) }}
{%- endmacro %}

{# Column.numeric_type(dtype, precision, scale): "dtype(precision,scale)", or just
   dtype when either is none. Not overridden by PostgresColumn or AthenaColumn. #}
{% macro column_numeric_type(dtype, precision, scale) -%}
  {%- if precision is none or scale is none -%}
    {{ return(dtype) }}
  {%- else -%}
    {{ return(dtype ~ '(' ~ precision ~ ',' ~ scale ~ ')') }}
  {%- endif -%}
{%- endmacro %}
