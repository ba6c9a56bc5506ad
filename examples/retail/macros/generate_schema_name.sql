{#- The medallion override: a node with a custom schema (bronze, silver,
    gold) is built in that schema as it is, not in <target schema>_<custom>
    as dbt's default does; nodes without one (the tests' stored failures)
    use the target's schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
