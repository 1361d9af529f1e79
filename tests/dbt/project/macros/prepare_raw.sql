{#- Creates the tables datapact's contracts name outside dbt (a source and a
    reference table), as of now, in the target's schema; the same SQL runs on
    DuckDB and PostgreSQL. var `events` = fresh | warn | stale | bad | empty. -#}
{% macro prepare_raw() %}
  {%- set events = var('events', 'fresh') -%}
  {%- set age = {'fresh': 10, 'warn': 120, 'stale': 420, 'bad': 10, 'empty': 10}[events] -%}
  {%- set id = 'null' if events == 'bad' else '2' -%}
  {%- set now = "cast(now() at time zone 'UTC' as timestamp)" -%}
  {%- set schema = target.schema -%}
  {% do run_query("drop table if exists " ~ schema ~ ".countries") %}
  {% do run_query("create table " ~ schema ~ ".countries as select * from (values ('DE'), ('FR'), ('US')) as t(code)") %}
  {% do run_query("drop table if exists " ~ schema ~ ".raw_events") %}
  {% do run_query("create table " ~ schema ~ ".raw_events as select * from (values (1, " ~ now ~ " - interval '1 minute' * " ~ age ~ "), (" ~ id ~ ", " ~ now ~ " - interval '1 minute' * " ~ (age + 5) ~ ")) as t(event_id, loaded_at)" ~ (" where false" if events == 'empty' else "")) %}
{% endmacro %}
