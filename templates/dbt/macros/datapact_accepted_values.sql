{#-
  dbt's accepted_values with a percent tolerance: the rows whose value is
  not one of `values` (SQL literals); nulls pass.
-#}
{% test datapact_accepted_values(model, column_name, values, tolerance_percent=none) -%}
{%- set failing -%}
select *
from {{ model }}
where {{ column_name }} not in ({{ values | join(', ') }})
{%- endset -%}
{{ datapact_with_allowed(model, failing, tolerance_percent) }}
{%- endtest %}
