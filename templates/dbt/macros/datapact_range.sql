{#-
  The rows whose value is below `min_value` or above `max_value` (SQL
  literals; both bounds inclusive); nulls pass.
-#}
{% test datapact_range(model, column_name, min_value=none, max_value=none, tolerance_percent=none) -%}
{%- set failing -%}
select *
from {{ model }}
where
{%- if min_value is not none %} {{ column_name }} < {{ min_value }}{% endif %}
{%- if min_value is not none and max_value is not none %} or{% endif %}
{%- if max_value is not none %} {{ column_name }} > {{ max_value }}{% endif %}
{%- endset -%}
{{ datapact_with_allowed(model, failing, tolerance_percent) }}
{%- endtest %}
