#!/usr/bin/env python3
"""Warehouse cost of the generated checks on DuckDB.

    cargo build --release
    .venv/bin/python bench/warehouse.py [--rows 10000000] [--runs 5] [--datapact target/release/datapact]

Builds a table of ROWS rows (deterministic, from DuckDB's range()), with a
contract of 20 rules over it (bench/warehouse/contracts/), compiles the
contract with datapact for DuckDB, then times on one DuckDB connection:

- one-scan: datapact's check query (sql/duckdb/<contract>.sql), every rule in
  one scan of the table;
- per-rule: each rule as its own query, as dbt runs its tests: `select
  count(*) from (<failing-rows query>)` for each rule that has one, plus the
  check query restricted to the remaining table rules (row count, freshness);
- bare scan: one aggregate over the checked columns (min and max of each),
  the least any check of them can cost;
- and, to explain the gap, the unique rule's `count(distinct)` and the three
  pattern rules' regex matches, each alone: work any engine must do for these
  rules, however the queries are arranged.

Each timing is the median of RUNS runs after one warm-up. It also checks the
verdicts: on this data exactly the rules planted to fail fail. Figures are
printed, never asserted against a target.
"""

import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import duckdb

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "bench" / "warehouse" / "contracts"
CONTRACT = "bench.orders"

# The fact table: every column is derived from i, so the data is the same on
# every run and machine. Planted violations: `status` holds 'lost' on one row
# in 100,000, `coupon` breaks its pattern on one row in 50,000.
TABLE = """
create table orders as
select
    i as order_id,
    'SO-' || lpad(cast(i as varchar), 8, '0') as order_number,
    (i * 7919) % 50000 as customer_id,
    case when i % 100000 = 0 then 'lost'
         else ['placed', 'paid', 'shipped', 'delivered'][1 + i % 4] end as status,
    ['EUR', 'USD', 'GBP'][1 + i % 3] as currency,
    cast((i % 10000) / 10.0 as decimal(12, 2)) as subtotal,
    cast((i % 7) as decimal(12, 2)) as shipping,
    cast((i % 10000) / 10.0 + (i % 7) as decimal(12, 2)) as total,
    1 + i % 20 as item_count,
    case when i % 3 = 0 then null
         when i % 50000 = 1 then 'bad coupon'
         else 'C' || cast(i % 9973 as varchar) end as coupon,
    ['DE', 'FR', 'US', 'GB', 'NL'][1 + i % 5] as country,
    timestamp '2026-01-01 00:00:00' + to_seconds(i % 10000000) as ordered_at,
    case when i % 4 >= 2 then timestamp '2026-01-01 00:00:00' + to_seconds(i % 10000000 + 3600)
         end as shipped_at,
    'customer ' || cast(i % 50000 as varchar) as note
from range({rows}) t(i)
"""

CUSTOMERS = """
create table customers as
select i as customer_id from range(50000) t(i)
"""

# Columns the contract checks, for the bare scan.
CHECKED = [
    "order_id", "order_number", "customer_id", "status", "currency", "subtotal",
    "shipping", "total", "item_count", "coupon", "country", "ordered_at", "shipped_at",
]

EXPECTED_FAILING = {"status__accepted_values", "coupon__pattern"}


def timed(con, sql, runs):
    con.execute(sql).fetchall()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        rows = con.execute(sql).fetchall()
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--datapact", default=str(ROOT / "target" / "release" / "datapact"))
    args = parser.parse_args()

    out = pathlib.Path(tempfile.mkdtemp(prefix="datapact-warehouse-"))
    subprocess.run(
        [args.datapact, "compile", str(CONTRACTS), "--target", "sql",
         "--dialect", "duckdb", "--out", str(out)],
        check=True,
    )
    sql_dir = out / "sql" / "duckdb"
    check_query = (sql_dir / f"{CONTRACT}.sql").read_text()
    rule_files = sorted((sql_dir / CONTRACT).glob("*.sql"))

    con = duckdb.connect()
    con.execute(f"set threads = {args.threads}")
    con.execute("set time zone 'UTC'")
    start = time.perf_counter()
    con.execute(TABLE.format(rows=args.rows))
    con.execute(CUSTOMERS)
    load_s = time.perf_counter() - start

    # One scan: every rule at once.
    one_scan, rows = timed(con, check_query, args.runs)
    cols = [d[0] for d in con.execute(check_query).description]
    verdicts = {r[cols.index("check_name")]: r[cols.index("status")] for r in rows}
    failing = {name for name, status in verdicts.items() if status == "fail"}
    if failing != EXPECTED_FAILING:
        sys.exit(f"unexpected verdicts: failing {sorted(failing)}, expected {sorted(EXPECTED_FAILING)}")

    # Per rule, as dbt runs them: one query per rule.
    per_rule = 0.0
    rule_queries = 0
    for f in rule_files:
        query = f.read_text().strip().rstrip(";")
        t, _ = timed(con, f"select count(*) from (\n{query}\n)", args.runs)
        per_rule += t
        rule_queries += 1
    # The table rules without a failing-rows query (row count, freshness):
    # each is one aggregate of its own.
    table_rules = [
        "select count(*) from orders",
        "select max(ordered_at) from orders",
    ]
    for q in table_rules:
        t, _ = timed(con, q, args.runs)
        per_rule += t
        rule_queries += 1

    bare_sql = "select count(*), " + ", ".join(
        f'min("{c}"), max("{c}")' for c in CHECKED
    ) + " from orders"
    bare, _ = timed(con, bare_sql, args.runs)
    # What the costliest rules cost by themselves, whatever runs them.
    distinct, _ = timed(con, 'select count(distinct "order_id") from orders', args.runs)
    regex, _ = timed(con, "select " + ", ".join(
        f"count(case when not regexp_full_match(\"{c}\", '{p}') then 1 end)"
        for c, p in [("order_number", "SO-[0-9]{8}"), ("coupon", "[A-Z][0-9]+"), ("country", "[A-Z]{2}")]
    ) + " from orders", args.runs)

    print(f"DuckDB {duckdb.__version__}, {args.threads} threads, {platform.machine()}, "
          f"{args.rows:,} rows (built in {load_s:.1f} s), {len(verdicts)} rules, median of {args.runs}")
    print(f"{'query':<36} {'ms':>9} {'× bare scan':>12}")
    for name, t in [
        ("bare aggregate scan", bare),
        ("one-scan check query", one_scan),
        (f"per rule ({rule_queries} queries, dbt style)", per_rule),
        ("unique rule alone", distinct),
        ("3 pattern rules alone", regex),
    ]:
        print(f"{name:<36} {t * 1e3:>9.1f} {t / bare:>12.2f}")
    print(f"one-scan is {per_rule / one_scan:.1f}x faster than per-rule; "
          f"verdicts: {len(failing)} failing as planted ({', '.join(sorted(failing))})")
    print(json.dumps({
        "rows": args.rows, "rules": len(verdicts), "bare_ms": round(bare * 1e3, 1),
        "one_scan_ms": round(one_scan * 1e3, 1), "per_rule_ms": round(per_rule * 1e3, 1),
        "per_rule_queries": rule_queries, "unique_ms": round(distinct * 1e3, 1),
        "patterns_ms": round(regex * 1e3, 1),
    }))


if __name__ == "__main__":
    main()
