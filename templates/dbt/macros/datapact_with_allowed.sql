{#-
  The rows of the query `failing`, with a tolerance: each row then also
  carries `datapact_allowed`, the number of failures tolerated, that is
  `tolerance_percent` percent of the rows of `model` (the rows the rule
  sees), rounded down. Tests with a tolerance are configured with
  `error_if: "> max(datapact_allowed)"`: failures within it warn.
  Integer arithmetic: a percent has at most 6 decimals.
-#}
{% macro datapact_with_allowed(model, failing, tolerance_percent=none) -%}
{%- if tolerance_percent is none -%}
{{ failing }}
{%- else -%}
{%- set per_100m = (tolerance_percent * 1000000) | round | int -%}
select
  datapact_failing.*,
  << allowed >> as datapact_allowed
from (
{{ failing }}
) datapact_failing
{%- endif -%}
{%- endmacro %}
