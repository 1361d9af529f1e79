{#-
  Freshness of a model: the age in seconds of the newest `column` (of
  logical type `column_type`: date, timestamp as UTC, or timestamp_tz).
  One row per threshold the age is past: `warn_after_seconds`, then
  `error_after_seconds`; an empty table is past both. Configure with
  `warn_if: '>= 1'` and `error_if: '>= 2'` when both are given.
-#}
{% test datapact_freshness(model, column, column_type='timestamp', warn_after_seconds=none, error_after_seconds=none) -%}
{%- set age -%}
{%- if column_type == 'date' -%}
<< age_date >>
{%- elif column_type == 'timestamp_tz' -%}
<< age_timestamp_tz >>
{%- else -%}
<< age_timestamp >>
{%- endif -%}
{%- endset -%}
{%- set thresholds = [] -%}
{%- if warn_after_seconds is not none %}{% do thresholds.append(('warn_after', warn_after_seconds)) %}{% endif -%}
{%- if error_after_seconds is not none %}{% do thresholds.append(('error_after', error_after_seconds)) %}{% endif -%}
{%- for name, seconds in thresholds %}
{%- if not loop.first %}
union all
{% endif %}
select '{{ name }}' as threshold, {{ seconds }} as threshold_seconds, age_seconds
from (select {{ age }} as age_seconds from {{ model }}) datapact_age
where age_seconds is null or age_seconds > {{ seconds }}
{%- endfor %}
{%- endtest %}
