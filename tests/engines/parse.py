#!/usr/bin/env python3
"""Parse-check SQL with sqlglot; JSON in on stdin, JSON out on stdout.

    $DATAPACT_PYTHON tests/engines/parse.py < in.json > out.json

Input:
    {"statements": [{"id": "...", "dialect": "snowflake", "sql": "..."}]}
Output:
    {"sqlglot": "<version>",
     "results": [{"id": "...", "ok": true, "error": null}]}

`dialect` is one of datapact's names: duckdb, postgres, snowflake, bigquery,
redshift, databricks, trino, sqlserver (sqlglot's tsql). A statement is ok only
if sqlglot parses it, with errors raised, into exactly one statement (`--`
comment lines before it and one trailing `;` are fine); otherwise `error` says
why. Exit status 0 when the checker worked, 2 on bad usage or input.
"""

import json
import re
import sys

import sqlglot
from sqlglot.errors import ErrorLevel

DIALECTS = {
    "duckdb": "duckdb",
    "postgres": "postgres",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "redshift": "redshift",
    "databricks": "databricks",
    "trino": "trino",
    "sqlserver": "tsql",
}

# sqlglot underlines the offending token with terminal escape codes.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def check(dialect, sql):
    """(ok, error) for one statement."""
    read = DIALECTS.get(dialect)
    if read is None:
        return False, f"unknown dialect {dialect!r} (expected one of {', '.join(DIALECTS)})"
    try:
        parsed = sqlglot.parse(sql, read=read, error_level=ErrorLevel.RAISE)
    except Exception as exc:  # ParseError, TokenError, and sqlglot's own bugs
        text = ANSI_ESCAPE.sub("", str(exc)).strip() or type(exc).__name__
        return False, f"{type(exc).__name__}: {text}"
    statements = [e for e in parsed if e is not None]
    if len(statements) != 1:
        return False, f"expected exactly one statement, parsed {len(statements)}"
    return True, None


def main(argv):
    if len(argv) != 1:
        print("usage: parse.py < statements.json", file=sys.stderr)
        return 2
    try:
        doc = json.load(sys.stdin)
    except ValueError as exc:
        print(f"parse.py: stdin is not JSON: {exc}", file=sys.stderr)
        return 2
    statements = doc.get("statements") if isinstance(doc, dict) else None
    if not isinstance(statements, list) or not all(
        isinstance(s, dict) and isinstance(s.get("dialect"), str) and isinstance(s.get("sql"), str)
        for s in statements
    ):
        print(
            'parse.py: stdin must be {"statements": [{"id": ..., "dialect": "...", "sql": "..."}]}',
            file=sys.stderr,
        )
        return 2
    results = []
    for s in statements:
        ok, error = check(s["dialect"], s["sql"])
        results.append({"id": s.get("id"), "ok": ok, "error": error})
    json.dump({"sqlglot": sqlglot.__version__, "results": results}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
