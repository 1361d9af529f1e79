#!/usr/bin/env python3
"""How fast `datapact report` answers over a large results store.

    cargo build --release && scripts/drivers
    .venv/bin/python bench/report.py [--runs 1000] [--checks 1000] [--contracts 10] [--repeat 5]

Builds a DuckDB results store of RUNS runs × CHECKS checks (CHECKS / CONTRACTS
checks per contract, one of them `freshness`; about 1 in 200 results fails),
the runs spread evenly over the 30 days before the report's clock:

1. `datapact run --store` once, on a one-row CSV, creates the store with its
   schema (so the bench writes exactly the tables datapact writes);
2. the runs and results are inserted in bulk with SQL, through DuckDB's C API
   on the same libduckdb.so `datapact` loads (bench/run.py's DuckDbC), so
   the file's storage version is the driver's own.

Then times `datapact report --store FILE --format json` (the whole process:
start, store, queries, SLO figures, JSON), median of REPEAT after a warm-up,
with DATAPACT_NOW fixed just after the last run. Figures are printed, never
asserted against a target (docs/benchmarks.md).
"""

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from run import DRIVERS, DuckDbC  # noqa: E402

NOW = "2026-12-01T00:00:00Z"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--contracts", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--datapact", default=str(ROOT / "target" / "release" / "datapact"))
    args = parser.parse_args()
    per = args.checks // args.contracts
    env = dict(os.environ, DATAPACT_DRIVER_PATH=str(DRIVERS), DATAPACT_NOW=NOW)
    work = pathlib.Path(tempfile.mkdtemp(prefix="datapact-bench-report-"))
    try:
        (work / "contracts").mkdir()
        (work / "t.csv").write_text("id\n1\n")
        (work / "contracts" / "t.yaml").write_text(
            "contract: bench.seed\nversion: 1.0.0\nowners: [{name: Bench}]\n"
            "dataset: {name: t, path: t.csv}\ncolumns: [{name: id, type: bigint}]\n"
        )
        store = work / "results.duckdb"
        seeded = subprocess.run(
            [args.datapact, "run", "--store", str(store)], cwd=work, env=env, capture_output=True, text=True
        )
        if seeded.returncode != 0:
            sys.exit(f"datapact run --store failed:\n{seeded.stderr}")

        start = time.perf_counter()
        db = DuckDbC(DRIVERS / "libduckdb.so", store)
        minutes = 30 * 24 * 60 // args.runs
        db.query("delete from datapact_results")
        db.query("delete from datapact_runs")
        db.query(
            f"""insert into datapact_runs
            select 'run' || lpad(i::varchar, 7, '0'),
                   timestamp '{NOW[:10]} 00:00:00' - interval 30 day + to_minutes(i * {minutes} + 1),
                   1000, 'duckdb::memory:', 'bench', {args.contracts}, {args.checks}
            from range({args.runs}) t(i)"""
        )
        db.query(
            f"""insert into datapact_results
            select 'run' || lpad(i::varchar, 7, '0'),
                   'bench.c' || (j // {per}), '1.0.0',
                   case when j % {per} = 0 then 'freshness' else 'check_' || (j % {per}) end,
                   null,
                   case when j % {per} = 0 then 'freshness' else 'min' end,
                   case when j % 7 = 3 then 'warn' else 'error' end,
                   case when hash(i * {args.checks} + j) % 200 = 0 then 'fail' else 'pass' end,
                   0, null, null
            from range({args.runs}) r(i) cross join range({args.checks}) c(j)"""
        )
        rows = db.query("select * from datapact_results")
        db.close()
        built = time.perf_counter() - start
        print(f"store: {args.runs} runs × {args.checks} checks = {rows:,} results "
              f"({store.stat().st_size / 1e6:.1f} MB, built in {built:.1f} s)")

        def report():
            out = subprocess.run(
                [args.datapact, "report", "--store", str(store), "--format", "json"],
                cwd=work, env=env, capture_output=True, text=True,
            )
            if out.returncode not in (0, 1):
                sys.exit(f"datapact report failed:\n{out.stderr}")
            return json.loads(out.stdout)

        doc = report()  # warm-up, and the figures checked
        contracts = doc["contracts"]
        seen = sum(c["runs"] for c in contracts if c["contract"].startswith("bench.c"))
        if seen != args.runs * args.contracts:
            sys.exit(f"the report counted {seen} contract runs, not {args.runs * args.contracts}")
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            report()
            times.append(time.perf_counter() - t)
        print(f"datapact report --format json: median {statistics.median(times):.3f} s "
              f"(min {min(times):.3f}, max {max(times):.3f}) over {args.repeat} runs; "
              f"{len(contracts)} contracts")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
