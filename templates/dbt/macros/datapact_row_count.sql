{#- One row, the number of rows, when it is below `min_rows` or above `max_rows`. -#}
{% test datapact_row_count(model, min_rows=none, max_rows=none) -%}
select *
from (select << count >>(*) as row_count from {{ model }}) datapact_counted
where
{%- if min_rows is not none %} row_count < {{ min_rows }}{% endif %}
{%- if min_rows is not none and max_rows is not none %} or{% endif %}
{%- if max_rows is not none %} row_count > {{ max_rows }}{% endif %}
{%- endtest %}
