{#-
  The rows whose value does not match the regular expression `regex` as a
  whole (RE2 syntax, as written in the contract); nulls pass.
-#}
{% test datapact_pattern(model, column_name, regex, tolerance_percent=none) -%}
{%- set failing -%}
select *
from {{ model }}
where not (<< regex_match >>)
{%- endset -%}
{{ datapact_with_allowed(model, failing, tolerance_percent) }}
{%- endtest %}
