{#- The rows for which the SQL condition `expression` is false; null passes. -#}
{% test datapact_expression(model, expression, tolerance_percent=none) -%}
{%- set failing -%}
select *
from {{ model }}
where not (
{{ expression }}
)
{%- endset -%}
{{ datapact_with_allowed(model, failing, tolerance_percent) }}
{%- endtest %}
