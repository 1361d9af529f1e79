#!/usr/bin/env python3
"""Execute SQL on one real engine; JSON in on stdin, JSON out on stdout.

    $DATAPACT_PYTHON tests/engines/runner.py duckdb|postgres|spark  < in.json > out.json

Input:
    {"cases": [{"id": "...", "setup": ["create table ...", "insert ..."],
                "queries": ["select ...", "select ..."]}]}
Output:
    {"engine": "duckdb", "version": "...",
     "cases": [{"id": "...", "setup_error": null,
                "results": [{"columns": ["a", "b"], "rows": [[1, "x"]]},
                            {"error": "message"}]}]}

Isolation: duckdb gets a fresh in-memory database per case (see run_duckdb for
how it stays fast). postgres uses one
connection (DSN from $DATAPACT_PG_DSN) for the whole run; each case runs in a
transaction that is rolled back at its end, and each query in a savepoint, so
a failing query yields {"error": ...} and the case's next queries still run.
spark starts one local Spark session (PySpark, Java 17+) for the whole run,
with an in-memory catalog and a warehouse directory in a temp dir deleted at
the end; tables are real (parquet) tables there. After each case it runs
RESET (undoing the case's SETs) and drops every schema, table and view the
case made.
A failing setup statement sets setup_error ("setup statement <0-based index>:
<message>"), leaves results empty and skips the case's queries.

The session time zone is America/Los_Angeles (override: $DATAPACT_TEST_TZ), never
UTC, so SQL that silently depends on the session zone shows up (Spark:
spark.sql.session.timeZone).

Values: None -> null, bool -> true/false, int -> int (exact), Decimal -> string
(str()), float -> number ("NaN", "Infinity", "-Infinity" as strings),
datetime/date/time -> isoformat() string, bytes -> hex string, UUID -> string,
anything else -> str().

Exit status 0 when the runner worked (whatever the queries did); 2 on bad usage
or input, 1 when the engine cannot be started (message on stderr).
"""

import datetime
import decimal
import json
import math
import os
import re
import sys
import uuid

DEFAULT_TZ = "America/Los_Angeles"
STATEMENT_TIMEOUT_MS = 60_000


class Fatal(Exception):
    """The runner itself cannot go on (exit 1)."""


def to_json(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def error_text(exc):
    text = str(exc).strip()
    return text or type(exc).__name__


def rows_result(description, rows):
    if description is None:  # a statement that returns no rows
        return {"columns": [], "rows": []}
    return {
        "columns": [col[0] for col in description],
        "rows": [[to_json(v) for v in row] for row in rows],
    }


def read_input():
    try:
        doc = json.load(sys.stdin)
    except ValueError as exc:
        raise SystemExit(f"runner.py: stdin is not JSON: {exc}") from None
    cases = doc.get("cases") if isinstance(doc, dict) else None
    if not isinstance(cases, list):
        raise SystemExit('runner.py: stdin must be {"cases": [...]}')
    for i, case in enumerate(cases):
        ok = (
            isinstance(case, dict)
            and all(isinstance(s, str) for s in case.get("setup", []))
            and all(isinstance(q, str) for q in case.get("queries", []))
        )
        if not ok:
            raise SystemExit(
                f"runner.py: case {i} must be "
                '{"id": ..., "setup": [strings], "queries": [strings]}'
            )
    return cases


# --- DuckDB -------------------------------------------------------------------


# Statements that change connection state beyond the case's own database
# (settings, attached databases, temp objects, transactions, extensions).
SESSION_STATEMENT = re.compile(
    r"^(set|reset|pragma|attach|detach|use|install|load|force\s+install|checkpoint"
    r"|begin|start\s+transaction|commit|rollback|abort|end\s*(transaction\s*)?$"
    r"|call|export\s+database|import\s+database|copy"
    r"|create\s+(or\s+replace\s+)?(temp|temporary|secret|persistent|transient))\b"
    r"|\btemp\b|\btemporary\b",
    re.IGNORECASE,
)
BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def touches_session(sql):
    """True if some statement of `sql` may change connection-wide state. A
    conservative syntactic test (false positives only cost speed): looks at
    every fragment that starts a line or follows a `;`, with and without
    block comments."""
    for text in (sql, BLOCK_COMMENT.sub(" ", sql)):
        if any(SESSION_STATEMENT.search(part.strip()) for part in re.split(r"[;\n]", text)):
            return True
    return False


def run_duckdb(cases, tz):
    import duckdb

    set_tz = "SET TimeZone = '%s'" % tz.replace("'", "''")

    def connect():
        con = duckdb.connect(":memory:")
        con.execute(set_tz)
        return con

    # Fail early (exit 1) if the time zone is unknown or ICU is missing.
    try:
        shared = connect()
        got = shared.execute("SELECT current_setting('TimeZone')").fetchone()[0]
    except Exception as exc:
        raise Fatal(f"duckdb: cannot set TimeZone to {tz!r}: {error_text(exc)}") from exc
    if got != tz:
        raise Fatal(f"duckdb: TimeZone is {got!r} after setting it to {tz!r}")

    # A fresh in-memory database per case. duckdb.connect() costs ~10 ms (30 s
    # for 3000 cases), so most cases instead get a new empty in-memory database
    # ATTACHed to one shared connection under the default name `memory` and
    # made current (~0.5 ms), then DETACHed. The connection's own default
    # database is renamed away so the case sees exactly what a fresh
    # connection would (current_database() = 'memory', schema main). Cases
    # whose statements could change connection-wide state (SET, ATTACH, temp
    # tables, ...) get a really fresh connection.
    try:
        shared.execute("ATTACH ':memory:' AS datapact_runner")
        shared.execute("USE datapact_runner")
        shared.execute("DETACH memory")
    except Exception as exc:
        raise Fatal(f"duckdb: cannot set up the shared connection: {error_text(exc)}") from exc

    out = []
    for case in cases:
        statements = list(case.get("setup", [])) + list(case.get("queries", []))
        if any(touches_session(sql) for sql in statements):
            con = connect()
            try:
                out.append(run_case(case, lambda sql: duckdb_exec(con, sql)))
            finally:
                con.close()
            continue
        try:
            shared.execute("ATTACH ':memory:' AS memory")
            shared.execute("USE memory")
        except Exception as exc:
            raise Fatal(f"duckdb: cannot attach a fresh database: {error_text(exc)}") from exc
        try:
            out.append(run_case(case, lambda sql: duckdb_exec(shared, sql)))
        finally:
            try:
                shared.execute("USE datapact_runner")
                shared.execute("DETACH memory")
            except Exception as exc:
                raise Fatal(f"duckdb: cannot detach the case's database: {error_text(exc)}") from exc
    shared.close()
    return {"engine": "duckdb", "version": duckdb.__version__, "cases": out}


def duckdb_exec(con, sql):
    cur = con.execute(sql)
    description = cur.description
    rows = cur.fetchall() if description is not None else []
    return rows_result(description, rows)


# --- PostgreSQL ---------------------------------------------------------------


def run_postgres(cases, tz):
    import psycopg

    dsn = os.environ.get("DATAPACT_PG_DSN")
    if not dsn:
        raise Fatal("postgres: DATAPACT_PG_DSN is not set")
    try:
        # prepare_threshold=None: never auto-prepare. The same query text runs
        # in many cases against tables re-created with other column types, and
        # a prepared plan would then fail ("cached plan must not change result
        # type").
        conn = psycopg.connect(dsn, autocommit=False, prepare_threshold=None, connect_timeout=10)
    except psycopg.Error as exc:
        raise Fatal(f"postgres: cannot connect to {dsn!r}: {error_text(exc)}") from exc

    try:
        with conn.cursor() as cur:
            # Session settings, committed before any case (set_config(..., false)
            # is SET at session level; it takes parameters, SET does not).
            cur.execute("SELECT set_config('TimeZone', %s, false)", (tz,))
            cur.execute(
                "SELECT set_config('statement_timeout', %s, false)", (str(STATEMENT_TIMEOUT_MS),)
            )
            cur.execute("SELECT current_setting('TimeZone'), current_setting('server_version')")
            got_tz, version = cur.fetchone()
        conn.commit()
    except psycopg.Error as exc:
        raise Fatal(f"postgres: cannot set up the session: {error_text(exc)}") from exc
    if got_tz != tz:
        raise Fatal(f"postgres: TimeZone is {got_tz!r} after setting it to {tz!r}")

    out = []
    cur = conn.cursor()
    for case in cases:
        try:
            # autocommit is off: the first statement opens the case's transaction.
            out.append(
                run_case(
                    case,
                    lambda sql: postgres_exec(cur, sql),
                    lambda sql: postgres_exec_in_savepoint(cur, sql),
                )
            )
        finally:
            try:
                conn.rollback()
            except psycopg.Error as exc:
                raise Fatal(f"postgres: rollback failed: {error_text(exc)}") from exc
        if conn.broken:
            raise Fatal(f"postgres: connection lost during case {case.get('id')!r}")
    conn.close()
    return {"engine": "postgres", "version": version, "cases": out}


def postgres_exec(cur, sql):
    cur.execute(sql)
    description = cur.description
    rows = cur.fetchall() if description is not None else []
    return rows_result(description, rows)


def postgres_exec_in_savepoint(cur, sql):
    cur.execute("SAVEPOINT datapact_q")
    try:
        result = postgres_exec(cur, sql)
    except Exception as exc:  # engine errors, and value conversion errors
        if cur.connection.broken:
            raise
        cur.execute("ROLLBACK TO SAVEPOINT datapact_q")
        cur.execute("RELEASE SAVEPOINT datapact_q")
        return {"error": error_text(exc)}
    cur.execute("RELEASE SAVEPOINT datapact_q")
    return result


# --- Spark --------------------------------------------------------------------


def run_spark(cases, tz):
    import tempfile

    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise Fatal(f"spark: cannot import pyspark: {error_text(exc)}") from exc

    try:
        import logging

        from pyspark.logger import PySparkLogger

        # PySpark logs every failed query, with the JVM stack trace, to stderr;
        # the error is in the query's result already.
        PySparkLogger.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    except ImportError:
        pass

    import shutil

    work = tempfile.mkdtemp(prefix="datapact-spark-")
    warehouse = os.path.join(work, "warehouse")
    # Loopback only: the driver never needs the machine's host name.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    spark = None
    try:
        try:
            spark = (
                SparkSession.builder.master("local[2]")
                .appName("datapact-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.memory", "1g")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.catalogImplementation", "in-memory")
                .config("spark.sql.warehouse.dir", warehouse)
                .config("spark.local.dir", os.path.join(work, "local"))
                .config("spark.sql.session.timeZone", tz)
                .getOrCreate()
            )
            spark.sparkContext.setLogLevel("ERROR")
            version = spark.version
            got = spark.conf.get("spark.sql.session.timeZone")
        except Exception as exc:
            raise Fatal(f"spark: cannot start a local session: {error_text(exc)}") from exc
        if got != tz:
            raise Fatal(f"spark: spark.sql.session.timeZone is {got!r} after setting it to {tz!r}")

        def execute(sql):
            df = spark.sql(sql)
            return {
                "columns": list(df.columns),
                "rows": [[to_json(v) for v in row] for row in df.collect()],
            }

        out = []
        for case in cases:
            try:
                out.append(run_case(case, execute))
            finally:
                spark_reset(spark, tz, warehouse)
        return {"engine": "spark", "version": version, "cases": out}
    finally:
        if spark is not None:
            try:
                spark.stop()
            except Exception:  # the JVM may be gone; the first error matters
                pass
        shutil.rmtree(work, ignore_errors=True)


def spark_reset(spark, tz, warehouse):
    """Undo everything a case did: its SETs, schemas, tables, views (temporary
    and global temporary), temporary functions and cached data; then the
    warehouse directory must be empty (a leftover table directory would make
    the next case's `create table` of that name fail)."""
    import shutil

    def quoted(name):
        return "`" + name.replace("`", "``") + "`"

    try:
        spark.sql("RESET")
        spark.conf.set("spark.sql.session.timeZone", tz)
        spark.catalog.setCurrentDatabase("default")
        for db in spark.catalog.listDatabases():
            if db.name != "default":
                spark.sql(f"drop database {quoted(db.name)} cascade")
        for table in spark.catalog.listTables("default"):
            if table.isTemporary:
                spark.catalog.dropTempView(table.name)
            elif table.tableType == "VIEW":
                spark.sql(f"drop view default.{quoted(table.name)}")
            else:
                spark.sql(f"drop table default.{quoted(table.name)}")
        global_temp = spark.conf.get("spark.sql.globalTempDatabase", "global_temp")
        for table in spark.catalog.listTables(global_temp):
            spark.catalog.dropGlobalTempView(table.name)
        for (name,) in spark.sql("show user functions").collect():
            # Temporary functions come unqualified; persistent ones as
            # catalog.schema.name (only `default`'s survive the drops above).
            if "." in name:
                spark.sql(f"drop function if exists {name}")
            else:
                spark.sql(f"drop temporary function if exists {quoted(name)}")
        spark.catalog.clearCache()
    except Exception as exc:
        raise Fatal(f"spark: cannot clean up after a case: {error_text(exc)}") from exc
    if os.path.isdir(warehouse):
        for entry in os.listdir(warehouse):
            shutil.rmtree(os.path.join(warehouse, entry), ignore_errors=True)


# --- shared -------------------------------------------------------------------


def run_case(case, execute, execute_query=None):
    """Run one case. `execute` runs a statement and returns a result dict or
    raises; `execute_query` (postgres) isolates a query's failure itself."""
    result = {"id": case.get("id"), "setup_error": None, "results": []}
    for i, sql in enumerate(case.get("setup", [])):
        try:
            execute(sql)
        except Exception as exc:  # any engine or conversion error
            result["setup_error"] = f"setup statement {i}: {error_text(exc)}"
            return result
    for sql in case.get("queries", []):
        if execute_query is not None:
            result["results"].append(execute_query(sql))
            continue
        try:
            result["results"].append(execute(sql))
        except Exception as exc:
            result["results"].append({"error": error_text(exc)})
    return result


def main(argv):
    if len(argv) != 2 or argv[1] not in ("duckdb", "postgres", "spark"):
        print("usage: runner.py duckdb|postgres|spark < cases.json", file=sys.stderr)
        return 2
    tz = os.environ.get("DATAPACT_TEST_TZ") or DEFAULT_TZ
    cases = read_input()
    try:
        if argv[1] == "duckdb":
            doc = run_duckdb(cases, tz)
        elif argv[1] == "spark":
            doc = run_spark(cases, tz)
        else:
            doc = run_postgres(cases, tz)
    except Fatal as exc:
        print(f"runner.py: {exc}", file=sys.stderr)
        return 1
    json.dump(doc, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
