-- The orders seed for var `data` (good | bad), typed as the contract says.
select
    order_id,
    customer_id,
    status,
    cast(amount as decimal(10,2)) as amount,
    country_code,
    note,
    order_id as "order"
from {{ ref('orders_' ~ var('data', 'good')) }}
