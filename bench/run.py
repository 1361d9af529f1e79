#!/usr/bin/env python3
"""What `datapact run` adds to the cost of the checks, and what --threads buys.

    cargo build --release && scripts/drivers
    .venv/bin/python bench/run.py [--rows 10000000] [--runs 5] [--contracts 100]

1. DuckDB, one big table. The table of bench/warehouse.py (ROWS rows, 22
   rules; its contracts in bench/warehouse/contracts/) in a DuckDB database
   file. Times, median of RUNS after a warm-up:
   - by hand: the compiled check query (`compile --target sql`), executed
     through DuckDB's own C API (ctypes on the same libduckdb.so `run`
     loads, so the engine is the same), opening the database file for it as
     the DuckDB CLI does; and every query `run` executes (the schema and
     check queries of both contracts, orders and the customers it
     references);
   - `datapact run --connection duckdb:FILE --format json`, the whole
     process: start, validation, driver load, both queries, the report.
   Prints run / hand. The verdicts are checked: exactly the planted rules
   fail, and `item_count__schema` (the table's column is a bigint, the
   contract says integer).

2. PostgreSQL, many tables. CONTRACTS tables of 200,000 rows each, one
   contract of 8 rules per table, on a throwaway PostgreSQL
   (scripts/postgres; or $DATAPACT_PG_DSN): `datapact run` with
   --threads 1 and --threads 2, median of 3 runs each.

Figures are printed, never asserted against a target (docs/benchmarks.md).
"""

import argparse
import ctypes
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import duckdb

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import warehouse  # noqa: E402  (the table and contract of the warehouse bench)

DRIVERS = pathlib.Path(os.environ.get("DATAPACT_DRIVER_PATH", ROOT / ".datapact" / "drivers"))


class DuckDbC:
    """The few DuckDB C API calls needed to run a query and drop its result."""

    def __init__(self, library, path):
        self.lib = ctypes.CDLL(str(library))
        self.lib.duckdb_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        self.lib.duckdb_connect.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
        self.lib.duckdb_query.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
        self.lib.duckdb_destroy_result.argtypes = [ctypes.c_void_p]
        self.lib.duckdb_result_error.argtypes = [ctypes.c_void_p]
        self.lib.duckdb_result_error.restype = ctypes.c_char_p
        self.lib.duckdb_row_count.argtypes = [ctypes.c_void_p]
        self.lib.duckdb_row_count.restype = ctypes.c_uint64
        self.lib.duckdb_disconnect.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        self.lib.duckdb_close.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        self.db = ctypes.c_void_p()
        self.con = ctypes.c_void_p()
        if self.lib.duckdb_open(str(path).encode(), ctypes.byref(self.db)) != 0:
            sys.exit(f"duckdb_open {path} failed")
        if self.lib.duckdb_connect(self.db, ctypes.byref(self.con)) != 0:
            sys.exit("duckdb_connect failed")

    def close(self):
        self.lib.duckdb_disconnect(ctypes.byref(self.con))
        self.lib.duckdb_close(ctypes.byref(self.db))

    def query(self, sql):
        result = ctypes.create_string_buffer(128)  # duckdb_result is 48 bytes
        state = self.lib.duckdb_query(self.con, sql.encode(), result)
        try:
            if state != 0:
                sys.exit(f"query failed: {self.lib.duckdb_result_error(result).decode()}")
            return self.lib.duckdb_row_count(result)
        finally:
            self.lib.duckdb_destroy_result(result)


def median_time(f, runs):
    f()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def datapact_run(datapact, args, cwd):
    env = dict(os.environ, DATAPACT_DRIVER_PATH=str(DRIVERS))
    return subprocess.run([datapact, "run", *args], cwd=cwd, env=env, capture_output=True, text=True)


def duckdb_part(args, work):
    db = work / "bench.duckdb"
    con = duckdb.connect()
    # The driver's DuckDB reads the storage format of 1.5.
    con.execute(f"attach '{db}' as bench (storage_version 'v1.5.0')")
    con.execute("use bench")
    con.execute("set time zone 'UTC'")
    start = time.perf_counter()
    con.execute(warehouse.TABLE.format(rows=args.rows))
    con.execute(warehouse.CUSTOMERS)
    con.close()
    load = time.perf_counter() - start

    out = work / "compiled"
    subprocess.run([args.datapact, "compile", str(warehouse.CONTRACTS), "--target", "sql",
                    "--dialect", "duckdb", "--out", str(out)], check=True, capture_output=True)
    sql = out / "sql" / "duckdb"
    check = (sql / f"{warehouse.CONTRACT}.sql").read_text()
    schema = (sql / f"{warehouse.CONTRACT}.schema.sql").read_text()

    customers_check = (sql / "bench.customers.sql").read_text()
    customers_schema = (sql / "bench.customers.schema.sql").read_text()

    def by_hand(*queries):
        # As the DuckDB CLI runs a file: open the database, run, close. The
        # operating system's file cache is warm (after the warm-up run).
        hand = DuckDbC(DRIVERS / "libduckdb.so", db)
        hand.query("set time zone 'UTC'")
        for q in queries:
            hand.query(q)
        hand.close()  # DuckDB locks the file per process

    check_only = median_time(lambda: by_hand(check), args.runs)
    both = median_time(lambda: by_hand(schema, check, customers_schema, customers_check), args.runs)

    run_args = [str(warehouse.CONTRACTS / "orders.yaml"), str(warehouse.CONTRACTS / "customers.yaml"),
                "--connection", f"duckdb:{db}", "--format", "json", "--threads", "1"]
    result = datapact_run(args.datapact, run_args, work)
    doc = json.loads(result.stdout)
    failing = {r["check_name"] for r in doc["results"] if r["status"] == "fail"}
    # The table's item_count is a bigint, the contract says integer: schema drift.
    if failing != warehouse.EXPECTED_FAILING | {"item_count__schema"}:
        sys.exit(f"unexpected verdicts: {sorted(failing)}; stderr: {result.stderr}")
    run = median_time(lambda: datapact_run(args.datapact, run_args, work), args.runs)
    print(f"DuckDB {args.rows:,} rows (table built in {load:.1f} s), median of {args.runs}:")
    print(f"  orders' check query by hand (C API)   {check_only:7.3f} s")
    print(f"  every query of the run by hand        {both:7.3f} s")
    print(f"  datapact run (whole process)          {run:7.3f} s   "
          f"{run / check_only:.2f}x the check query, {run / both:.2f}x its queries by hand")


CONTRACT = """\
contract: bench.t{n:03}
version: 1.0.0
owners: [{{name: Benchmarks}}]
dataset: {{schema: bench_run, name: t{n:03}}}
row_count: {{min: 1}}
columns:
  - {{name: id, type: bigint, required: true, unique: true}}
  - {{name: code, type: string, required: true, pattern: '[A-Z]{{2}}-[0-9]+'}}
  - {{name: status, type: string, accepted_values: [new, paid, shipped, done]}}
  - {{name: amount, type: 'decimal(12,2)', min: 0}}
  - {{name: note, type: string, length: {{max: 40}}}}
"""

TABLE = """
create table bench_run.t{n:03} as
select i as id,
       chr(65 + i % 26) || chr(65 + i % 7) || '-' || i as code,
       (array['new', 'paid', 'shipped', 'done'])[1 + i % 4] as status,
       cast((i % 10000) / 10.0 as decimal(12, 2)) as amount,
       'note ' || (i % 977) as note
from generate_series(1, {rows}) as i
"""


def postgres_part(args, work):
    import psycopg

    dsn = os.environ.get("DATAPACT_PG_DSN")
    pg_dir = None
    if not dsn:
        pg_dir = tempfile.mkdtemp(prefix="datapact-bench-pg-")
        dsn = subprocess.run([str(ROOT / "scripts" / "postgres"), "start", pg_dir],
                             check=True, capture_output=True, text=True).stdout.strip()
    try:
        fields = dict(kv.split("=", 1) for kv in dsn.split())
        url = f"postgresql://{fields['user']}@{fields['host']}:{fields['port']}/{fields['dbname']}"
        contracts = work / "pg-contracts"
        contracts.mkdir()
        with psycopg.connect(dsn, autocommit=True) as con:
            con.execute("drop schema if exists bench_run cascade")
            con.execute("create schema bench_run")
            start = time.perf_counter()
            for n in range(args.contracts):
                con.execute(TABLE.format(n=n, rows=200_000))
                (contracts / f"t{n:03}.yaml").write_text(CONTRACT.format(n=n))
            con.execute("analyze")
            load = time.perf_counter() - start
        times = {}
        for threads in (1, 2):
            run_args = [str(contracts), "--connection", url, "--format", "json", "--threads", str(threads)]
            result = datapact_run(args.datapact, run_args, work)
            doc = json.loads(result.stdout)
            if doc["summary"]["fail"] or doc["summary"]["error"]:
                sys.exit(f"unexpected verdicts: {doc['summary']}")
            times[threads] = median_time(lambda: datapact_run(args.datapact, run_args, work), 3)
        checks = len(doc["results"])
        print(f"PostgreSQL, {args.contracts} contracts x 200,000 rows ({checks} checks; tables built in {load:.1f} s), median of 3:")
        print(f"  --threads 1  {times[1]:7.3f} s")
        print(f"  --threads 2  {times[2]:7.3f} s   {times[1] / times[2]:.2f}x faster")
        with psycopg.connect(dsn, autocommit=True) as con:
            con.execute("drop schema bench_run cascade")
    finally:
        if pg_dir:
            subprocess.run([str(ROOT / "scripts" / "postgres"), "stop", pg_dir], capture_output=True)
            shutil.rmtree(pg_dir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--contracts", type=int, default=100)
    parser.add_argument("--datapact", default=str(ROOT / "target" / "release" / "datapact"))
    parser.add_argument("--only", choices=["duckdb", "postgres"])
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="datapact-bench-run-"))
    try:
        if args.only != "postgres":
            duckdb_part(args, work)
        if args.only != "duckdb":
            postgres_part(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
