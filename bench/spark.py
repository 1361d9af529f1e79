#!/usr/bin/env python3
"""Uniqueness on Spark: one aggregate with every exact distinct against one
pass per distinct.

    cargo build --release
    .venv/bin/python bench/spark.py [--rows 5000000] [--runs 3] [--datapact target/release/datapact]

Writes a Parquet table of ROWS rows (deterministic, from Spark's range()),
with the contract bench/spark/contracts/events.yaml over it: 6 `unique`
columns and 11 other rules. Then, on one local Spark session (local[2]),
times two check queries for the same contract:

- one aggregate: bench/spark/one_aggregate.sql, the query datapact compiled
  for Databricks/Spark before uniqueness got passes of its own (commit
  4ba9fec): every rule, the 6 `count(distinct …)` included, in one
  aggregate, which Spark plans with an Expand that copies every row 7 times;
- grouped passes: the query datapact compiles now (`compile --target
  sql --dialect databricks`): the 11 other rules in one scan, each `unique`
  in an aggregate of its own.

For each: the median wall time of RUNS runs after one warm-up, and from
Spark's own metrics (its monitoring REST API) the shuffle bytes written and
the number of table scans, summed over the query's stages. It checks that
both queries return the same verdicts and failure counts (the data plants
one duplicate `sequence_no` and one unknown `kind`), and prints each plan's
Expand nodes and aggregates with more than one distinct.

The same Parquet file is then read by DuckDB (the Python package), to time
the 6 unique rules as 6 distinct counts in one aggregate, as 6 aggregates of
one distinct each, and as 6 grouped passes: the measure behind the plan
kept for DuckDB.

Figures are printed, never asserted against a target.
"""

import argparse
import json
import os
import pathlib
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "bench" / "spark" / "contracts"
ONE_AGGREGATE = ROOT / "bench" / "spark" / "one_aggregate.sql"
UNIQUE = ["event_id", "event_key", "session_key", "device_id", "sequence_no", "external_ref"]

# Every column derives from id. Planted: `sequence_no` of the last row
# repeats row 0's; `kind` is 'lost' on one row in 1,000,000.
TABLE = """
select
    id as event_id,
    concat('E-', lpad(cast(id as string), 9, '0')) as event_key,
    concat('S', cast(id * 7 + 3 as string)) as session_key,
    id * 3 + 1 as device_id,
    case when id = {last} then 0 else id end as sequence_no,
    concat('X', hex(id * 2654435761 + 4294967296)) as external_ref,
    case when id % 1000000 = 999 then 'lost'
         else element_at(array('view', 'click', 'buy', 'leave'), cast(id % 4 + 1 as int)) end as kind,
    cast(1 + id % 9000 as decimal(12, 2)) as amount,
    timestamp_seconds(1767225600 + id) as occurred_at
from range({rows})
"""


def strip_comments(sql):
    return "\n".join(line for line in sql.splitlines() if not line.startswith("--"))


def compile_new(datapact, work):
    out = os.path.join(work, "compiled")
    subprocess.run(
        [datapact, "compile", str(CONTRACTS), "--target", "sql", "--dialect", "databricks",
         "--out", out],
        check=True, capture_output=True,
    )
    return pathlib.Path(out, "sql", "databricks", "bench.events.sql").read_text()


def metrics(ui, app, group):
    """Shuffle bytes written, input rows and the number of scan stages' input
    reads, summed over the stages of the jobs in `group`; waits until Spark's
    listener has recorded every stage as complete."""
    def get(path):
        with urllib.request.urlopen(f"{ui}/api/v1/applications/{app}/{path}") as r:
            return json.load(r)

    for _ in range(100):
        jobs = [j for j in get("jobs") if j.get("jobGroup") == group]
        stage_ids = sorted({s for j in jobs for s in j["stageIds"]})
        stages = [a for s in stage_ids for a in get(f"stages/{s}")]
        done = jobs and all(j["status"] != "RUNNING" for j in jobs) and all(
            a["status"] in ("COMPLETE", "SKIPPED") for a in stages)
        if done:
            ran = [a for a in stages if a["status"] == "COMPLETE"]
            return {
                "shuffle_write_bytes": sum(a["shuffleWriteBytes"] for a in ran),
                "input_rows": sum(a["inputRecords"] for a in ran),
                "scans": sum(1 for a in ran if a["inputRecords"] > 0),
            }
        time.sleep(0.2)
    raise SystemExit(f"spark: stages of {group} never completed")


def expands(spark, sql):
    """The number of Expand nodes in the query's physical plan."""
    plan = spark.sql("explain formatted " + sql).collect()[0][0]
    return len(re.findall(r"^\(\d+\) Expand", plan, re.M))


def verdicts(rows):
    return {r["check_name"]: (r["status"], r["failures"]) for r in rows}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--datapact", default=str(ROOT / "target" / "release" / "datapact"))
    args = parser.parse_args()

    from pyspark.sql import SparkSession

    work = tempfile.mkdtemp(prefix="datapact-bench-spark-")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    spark = None
    try:
        queries = {
            "one aggregate": strip_comments(ONE_AGGREGATE.read_text()),
            "grouped passes": strip_comments(compile_new(args.datapact, work)),
        }
        spark = (
            SparkSession.builder.master("local[2]")
            .appName("datapact-bench")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.memory", "6g")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.catalogImplementation", "in-memory")
            .config("spark.sql.warehouse.dir", os.path.join(work, "warehouse"))
            .config("spark.local.dir", os.path.join(work, "local"))
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        sc = spark.sparkContext
        ui, app = sc.uiWebUrl, sc.applicationId
        data = os.path.join(work, "events.parquet")
        t = time.perf_counter()
        spark.sql(TABLE.format(rows=args.rows, last=args.rows - 1)).write.parquet(data)
        made = time.perf_counter() - t
        spark.read.parquet(data).createOrReplaceTempView("events")
        size = sum(f.stat().st_size for f in pathlib.Path(data).glob("*.parquet"))
        print(f"Spark {spark.version}, Python {platform.python_version()}, "
              f"{os.cpu_count()} cores; {args.rows:,} rows in Parquet "
              f"({size / 2**20:.0f} MiB, written in {made:.1f} s); {args.runs} runs after a warm-up")

        results = {}
        for name, sql in queries.items():
            expand_nodes = expands(spark, sql)
            rows = [r.asDict() for r in spark.sql(sql).collect()]  # warm-up
            times, measured = [], []
            for i in range(args.runs):
                group = f"{name}-{i}"
                sc.setJobGroup(group, group)
                t = time.perf_counter()
                got = [r.asDict() for r in spark.sql(sql).collect()]
                times.append(time.perf_counter() - t)
                measured.append(metrics(ui, app, group))
                if verdicts(got) != verdicts(rows):
                    raise SystemExit(f"{name}: verdicts differ between runs")
            results[name] = {
                "wall": statistics.median(times),
                "shuffle": statistics.median(m["shuffle_write_bytes"] for m in measured),
                "input_rows": measured[0]["input_rows"],
                "scans": measured[0]["scans"],
                "expands": expand_nodes,
                "verdicts": verdicts(rows),
            }

        old, new = results["one aggregate"], results["grouped passes"]
        if old["verdicts"] != new["verdicts"]:
            raise SystemExit(f"verdicts differ:\n{old['verdicts']}\n{new['verdicts']}")
        failing = sorted(k for k, (s, _) in new["verdicts"].items() if s != "pass")
        print(f"verdicts equal: {len(new['verdicts'])} checks, failing: {', '.join(failing)}")
        print()
        print("| plan | wall (s) | shuffle written (MiB) | rows read | Expand nodes |")
        print("|---|---:|---:|---:|---:|")
        for name, r in results.items():
            print(f"| {name} | {r['wall']:.2f} | {r['shuffle'] / 2**20:.1f} | "
                  f"{r['input_rows']:,} | {r['expands']} |")
        print(f"\nnew/old: wall {new['wall'] / old['wall']:.2f}, "
              f"shuffle {new['shuffle'] / old['shuffle']:.2f}")

        duck(data, args.runs)
    finally:
        if spark is not None:
            spark.stop()
        shutil.rmtree(work, ignore_errors=True)


def duck(data, runs):
    import duckdb

    con = duckdb.connect()
    con.execute(f"create view events as select * from read_parquet('{data}/*.parquet')")
    together = "select " + ", ".join(
        f"count({c}) - count(distinct {c})" for c in UNIQUE) + " from events"
    apart = ["select count({c}) - count(distinct {c}) from events".format(c=c) for c in UNIQUE]
    grouped = [
        "select coalesce(sum(n - 1), 0) from (select count(*) as n from events "
        "where {c} is not null group by {c})".format(c=c)
        for c in UNIQUE
    ]

    def timed(run):
        run()
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            run()
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    one = timed(lambda: con.execute(together).fetchall())
    each = timed(lambda: [con.execute(q).fetchall() for q in apart])
    passes = timed(lambda: [con.execute(q).fetchall() for q in grouped])
    print(f"\nDuckDB {duckdb.__version__} on the same Parquet, the 6 unique rules: in one "
          f"aggregate {one:.2f} s; 6 aggregates of one distinct {each:.2f} s "
          f"({each / one:.2f}); 6 grouped passes {passes:.2f} s ({passes / one:.2f})")


if __name__ == "__main__":
    sys.exit(main())
