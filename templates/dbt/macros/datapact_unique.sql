{#-
  dbt's unique with a percent tolerance: one row per duplicated value.
  Failures are the surplus copies: rows minus distinct values.
-#}
{% test datapact_unique(model, column_name, tolerance_percent=none) -%}
{{ config(fail_calc='coalesce(sum(n_records - 1), 0)') }}
{%- set failing -%}
select {{ column_name }} as unique_field, << count >>(*) as n_records
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having << count >>(*) > 1
{%- endset -%}
{{ datapact_with_allowed(model, failing, tolerance_percent) }}
{%- endtest %}
