-- The customers seed for var `data` (good | bad), typed as the contract
-- says; var `types: bad` gets one column type wrong (for the enforced
-- model contract). updated_at is now minus the seed's age in minutes.
-- The same SQL runs on DuckDB and PostgreSQL.
select
    customer_id,
    email,
    tier,
    cast(signup_date as date) as signup_date,
    {% if var('types', 'good') == 'bad' %}cast(score as varchar){% else %}cast(score as decimal(5,2)){% endif %} as score,
    country,
    display_name as "Display Name",
    now() - interval '1 minute' * updated_age_minutes as updated_at
from {{ ref('customers_' ~ var('data', 'good')) }}
