{# gmodel builtin macros: listagg
   from dbt-adapters 1.9.0: dbt/include/global_project/macros/utils/listagg.sql (Apache-2.0)
   from dbt-postgres 1.9.0: dbt/include/postgres/macros/utils/listagg.sql (Apache-2.0)
   from dbt-athena 1.9.5: dbt/include/athena/macros/utils/listagg.sql (Apache-2.0)
   Changes for gmodel are marked with gmodel comments; see README.md in this directory. #}

{% macro listagg(measure, delimiter_text="','", order_by_clause=none, limit_num=none) -%}
    {{ return(adapter.dispatch('listagg', 'dbt') (measure, delimiter_text, order_by_clause, limit_num)) }}
{%- endmacro %}

{% macro default__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}

    {% if limit_num -%}
    array_to_string(
        array_slice(
            array_agg(
                {{ measure }}
            ){% if order_by_clause -%}
            within group ({{ order_by_clause }})
            {%- endif %}
            ,0
            ,{{ limit_num }}
        ),
        {{ delimiter_text }}
        )
    {%- else %}
    listagg(
        {{ measure }},
        {{ delimiter_text }}
        )
        {% if order_by_clause -%}
        within group ({{ order_by_clause }})
        {%- endif %}
    {%- endif %}

{%- endmacro %}

{% macro postgres__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}

    {% if limit_num -%}
    array_to_string(
        (array_agg(
            {{ measure }}
            {% if order_by_clause -%}
            {{ order_by_clause }}
            {%- endif %}
        ))[1:{{ limit_num }}],
        {{ delimiter_text }}
        )
    {%- else %}
    string_agg(
        {{ measure }},
        {{ delimiter_text }}
        {% if order_by_clause -%}
        {{ order_by_clause }}
        {%- endif %}
        )
    {%- endif %}

{%- endmacro %}

{% macro athena__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    array_join(
        {%- if limit_num %}
          slice(
        {%- endif %}
          array_agg(
              {{ measure }}
              {%- if order_by_clause %}
                {{ order_by_clause }}
              {%- endif %}
          )
        {%- if limit_num %}
            , 1, {{ limit_num }}
          )
        {%- endif %}
        , {{ delimiter_text }}
    )
{%- endmacro %}
