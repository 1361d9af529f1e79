{% macro prepare_raw() %}
  {%- set events = var('events', 'fresh') -%}
  {%- set age = {'fresh': 10, 'warn': 120, 'stale': 420, 'bad': 10}[events] -%}
  {%- set id = 'null' if events == 'bad' else '2' -%}
  {% do run_query("create or replace table main.countries as select * from (values ('DE'), ('FR'), ('US')) as t(code)") %}
  {% do run_query("create or replace table main.raw_events as select * from (values (1, cast(now() at time zone 'UTC' as timestamp) - to_minutes(" ~ age ~ ")), (" ~ id ~ ", cast(now() at time zone 'UTC' as timestamp) - to_minutes(" ~ (age + 5) ~ "))) as t(event_id, loaded_at)") %}
{% endmacro %}
