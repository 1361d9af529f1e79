{# The orders seed of var `data` as it was: one row per version of an order. #}
{% snapshot orders_history %}
{{ config(unique_key='order_id', strategy='check', check_cols='all') }}
select order_id, customer_id, status from {{ ref('orders_' ~ var('data', 'good')) }}
{% endsnapshot %}
