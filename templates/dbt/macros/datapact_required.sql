{#- dbt's not_null with a percent tolerance: the rows where the column is null. -#}
{% test datapact_required(model, column_name, tolerance_percent=none) -%}
{%- set failing -%}
select *
from {{ model }}
where {{ column_name }} is null
{%- endset -%}
{{ datapact_with_allowed(model, failing, tolerance_percent) }}
{%- endtest %}
