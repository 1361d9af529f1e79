{#-
  dbt's relationships for a parent that is no dbt node (`to` is the
  quoted table name), or with a percent tolerance: the rows whose non-null
  value is missing from `field` of `to`.
-#}
{% test datapact_references(model, column_name, to, field, tolerance_percent=none) -%}
{%- set failing -%}
select datapact_source.*
from (select * from {{ model }}) datapact_source
where datapact_source.{{ column_name }} is not null
  and not exists (
    select 1
    from {{ to }} datapact_target
    where datapact_target.{{ field }} = datapact_source.{{ column_name }}
  )
{%- endset -%}
{{ datapact_with_allowed(model, failing, tolerance_percent) }}
{%- endtest %}
