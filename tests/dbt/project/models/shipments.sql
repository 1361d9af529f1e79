-- Nested columns for var `data` (good | bad): a struct, an array of structs
-- and an array of strings; DuckDB's own types, PostgreSQL's jsonb and text[].
{% set bad = var('data', 'good') == 'bad' %}
{% if target.type == 'duckdb' %}
select 1 as shipment_id,
       {'zip': '12345'} as address,
       [{'sku': 'a1', 'qty': 1}, {'sku': 'b2', 'qty': 2}] as lines,
       ['a', 'b'] as tags
union all
select 2,
       {% if bad %}{'zip': null}{% else %}null{% endif %},
       {% if bad %}[{'sku': null, 'qty': 0}]{% else %}[{'sku': 'c3', 'qty': 5}]{% endif %},
       {% if bad %}['a', 'a', 'z']{% else %}[]{% endif %}
{% else %}
select 1 as shipment_id,
       '{"zip": "12345"}'::jsonb as address,
       '[{"sku": "a1", "qty": 1}, {"sku": "b2", "qty": 2}]'::jsonb as lines,
       array['a', 'b']::text[] as tags
union all
select 2,
       {% if bad %}'{"zip": null}'::jsonb{% else %}null{% endif %},
       {% if bad %}'[{"sku": null, "qty": 0}]'::jsonb{% else %}'[{"sku": "c3", "qty": 5}]'::jsonb{% endif %},
       {% if bad %}array['a', 'a', 'z']::text[]{% else %}array[]::text[]{% endif %}
{% endif %}
