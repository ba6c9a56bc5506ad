select 1
{% if true %}
