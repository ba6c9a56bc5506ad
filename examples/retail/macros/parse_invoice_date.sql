{#- InvoiceDate is written like the original data set: "12/1/2010 8:26"
    (month/day/year, hour without a leading zero). The one place where the
    dialects differ beyond what dbt's cross-database macros cover. -#}
{% macro parse_invoice_date(column) -%}
    {{ return(adapter.dispatch('parse_invoice_date')(column)) }}
{%- endmacro %}

{% macro default__parse_invoice_date(column) -%}
    to_timestamp({{ column }}, 'MM/DD/YYYY HH24:MI')::timestamp
{%- endmacro %}

{% macro athena__parse_invoice_date(column) -%}
    date_parse({{ column }}, '%c/%e/%Y %k:%i')
{%- endmacro %}
