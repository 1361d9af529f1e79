{#-
  One row per combination of `columns` (quoted where needed) that occurs
  more than once, among rows where not all of them are null. Failures are
  the surplus copies: rows minus distinct combinations.
-#}
{% test datapact_unique_combination(model, columns, tolerance_percent=none) -%}
{{ config(fail_calc='coalesce(sum(n_records - 1), 0)') }}
{%- set failing -%}
select {{ columns | join(', ') }}, << count >>(*) as n_records
from {{ model }}
where not ({% for column in columns %}{{ column }} is null{% if not loop.last %} and {% endif %}{% endfor %})
group by {{ columns | join(', ') }}
having << count >>(*) > 1
{%- endset -%}
{{ datapact_with_allowed(model, failing, tolerance_percent) }}
{%- endtest %}
