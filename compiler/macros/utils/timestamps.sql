{# gmodel builtin macros: current_timestamp and the *_backcompat variants
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/adapters/timestamps.sql (Apache-2.0)
   from dbt-postgres 1.9.0: dbt/include/postgres/macros/timestamps.sql (Apache-2.0)
   from dbt-athena 1.9.5: dbt/include/athena/macros/utils/timestamps.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{%- macro current_timestamp() -%}
    {{ adapter.dispatch('current_timestamp', 'dbt')() }}
{%- endmacro -%}

{# gmodel: exceptions.raise_not_implemented(... + adapter.type()) -> exceptions.raise_compiler_error(... ~ target.type) #}

{% macro default__current_timestamp() -%}
  {{ exceptions.raise_compiler_error(
    'current_timestamp macro not implemented for adapter ' ~ target.type) }}
{%- endmacro %}

{% macro postgres__current_timestamp() -%}
    now()
{%- endmacro %}

{% macro athena__current_timestamp() -%}
  {{ cast_timestamp('now()') }}
{%- endmacro %}

{# gmodel: dbt-athena reads model.config; gmodel reads the same values through config.get #}

{% macro cast_timestamp(timestamp_col) -%}
  {%- set table_type = config.get('table_type', 'hive') -%}
  {%- set is_view = config.get('materialized', 'table') in ['view', 'ephemeral'] -%}
  {%- if table_type == 'iceberg' and not is_view -%}
    cast({{ timestamp_col }} as timestamp(6))
  {%- else -%}
    cast({{ timestamp_col }} as timestamp)
  {%- endif -%}
{%- endmacro %}

{% macro current_timestamp_backcompat() %}
    {{ return(adapter.dispatch('current_timestamp_backcompat', 'dbt')()) }}
{% endmacro %}

{% macro default__current_timestamp_backcompat() %}
    current_timestamp::timestamp
{% endmacro %}

{% macro postgres__current_timestamp_backcompat() %}
    current_timestamp::{{ type_timestamp() }}
{% endmacro %}

{% macro current_timestamp_in_utc_backcompat() %}
    {{ return(adapter.dispatch('current_timestamp_in_utc_backcompat', 'dbt')()) }}
{% endmacro %}

{% macro default__current_timestamp_in_utc_backcompat() %}
    {{ return(adapter.dispatch('current_timestamp_backcompat', 'dbt')()) }}
{% endmacro %}

{% macro postgres__current_timestamp_in_utc_backcompat() %}
    (current_timestamp at time zone 'utc')::{{ type_timestamp() }}
{% endmacro %}
