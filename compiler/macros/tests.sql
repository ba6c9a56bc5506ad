{# gmodel builtin macros: generic data tests (unique, not_null, accepted_values, relationships)
   from dbt-adapters 1.9.0: dbt/include/global_project/tests/generic/builtin.sql (Apache-2.0)
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/generic_test_sql/unique.sql (Apache-2.0)
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/generic_test_sql/not_null.sql (Apache-2.0)
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/generic_test_sql/accepted_values.sql (Apache-2.0)
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/generic_test_sql/relationships.sql (Apache-2.0)
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/materializations/tests/where_subquery.sql (Apache-2.0)
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/materializations/configs.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{% test unique(model, column_name) %}
    {% set macro = adapter.dispatch('test_unique', 'dbt') %}
    {{ macro(model, column_name) }}
{% endtest %}

{% test not_null(model, column_name) %}
    {% set macro = adapter.dispatch('test_not_null', 'dbt') %}
    {{ macro(model, column_name) }}
{% endtest %}

{% test accepted_values(model, column_name, values, quote=True) %}
    {% set macro = adapter.dispatch('test_accepted_values', 'dbt') %}
    {{ macro(model, column_name, values, quote) }}
{% endtest %}

{% test relationships(model, column_name, to, field) %}
    {% set macro = adapter.dispatch('test_relationships', 'dbt') %}
    {{ macro(model, column_name, to, field) }}
{% endtest %}

{% macro default__test_unique(model, column_name) %}

select
    {{ column_name }} as unique_field,
    count(*) as n_records

from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1

{% endmacro %}

{% macro default__test_not_null(model, column_name) %}

{% set column_list = '*' if should_store_failures() else column_name %}

select {{ column_list }}
from {{ model }}
where {{ column_name }} is null

{% endmacro %}

{% macro default__test_accepted_values(model, column_name, values, quote=True) %}

with all_values as (

    select
        {{ column_name }} as value_field,
        count(*) as n_records

    from {{ model }}
    group by {{ column_name }}

)

select *
from all_values
where value_field not in (
    {% for value in values -%}
        {% if quote -%}
        '{{ value }}'
        {%- else -%}
        {{ value }}
        {%- endif -%}
        {%- if not loop.last -%},{%- endif %}
    {%- endfor %}
)

{% endmacro %}

{% macro default__test_relationships(model, column_name, to, field) %}

with child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
),

parent as (
    select {{ field }} as to_field
    from {{ to }}
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null

{% endmacro %}

{% macro get_where_subquery(relation) -%}
    {% do return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) %}
{%- endmacro %}

{% macro default__get_where_subquery(relation) -%}
    {% set where = config.get('where', '') %}
    {% if where %}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {% do return(filtered) %}
    {%- else -%}
        {% do return(relation) %}
    {%- endif -%}
{%- endmacro %}

{# gmodel: `flags` is not part of gmodel's context; when it is absent an unset
   store_failures config yields none (dbt: flags.STORE_FAILURES, False by default). #}

{% macro should_store_failures() %}
  {% set config_store_failures = config.get('store_failures', none) %}
  {% if config_store_failures is none %}
    {% set config_store_failures = (flags.STORE_FAILURES if flags is defined else none) %}
  {% endif %}
  {% do return(config_store_failures) %}
{% endmacro %}
