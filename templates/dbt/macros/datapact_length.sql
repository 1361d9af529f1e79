{#-
  The rows whose value is shorter than `min_length` or longer than
  `max_length` characters; nulls pass.
-#}
{% test datapact_length(model, column_name, min_length=none, max_length=none, tolerance_percent=none) -%}
{%- set failing -%}
select *
from {{ model }}
where
{%- if min_length is not none %} << length >> < {{ min_length }}{% endif %}
{%- if min_length is not none and max_length is not none %} or{% endif %}
{%- if max_length is not none %} << length >> > {{ max_length }}{% endif %}
{%- endset -%}
{{ datapact_with_allowed(model, failing, tolerance_percent) }}
{%- endtest %}
