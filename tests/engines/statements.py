#!/usr/bin/env python3
"""Count the statements SQL text splits into, per dialect; JSON in, JSON out.

    $DATAPACT_PYTHON tests/engines/statements.py < in.json > out.json

Input:
    {"sql": ["...", ...]}
Output:
    {"counts": [{"duckdb": 1, "postgres": 1, ..., "sqlserver": null}, ...]}

Each count is how many statements the dialect's reader splits the text into:
DuckDB's own (`duckdb.extract_statements`, the PostgreSQL lexer), and
sqlglot's for the other dialects. `null` when the reader refuses the text
(a syntax error): an engine that cannot read it runs none of it.
"""

import json
import sys

import duckdb
import sqlglot

from parse import DIALECTS as SQLGLOT_DIALECTS

# DuckDB splits with its own reader; sqlglot reads the others.
DIALECTS = {name: read for name, read in SQLGLOT_DIALECTS.items() if name != "duckdb"}


def counts(sql):
    out = {}
    try:
        out["duckdb"] = len(duckdb.extract_statements(sql))
    except Exception:  # a syntax error
        out["duckdb"] = None
    for name, read in DIALECTS.items():
        try:
            out[name] = len([e for e in sqlglot.parse(sql, read=read) if e is not None])
        except Exception:  # ParseError, TokenError, and sqlglot's own bugs
            out[name] = None
    return out


def main():
    doc = json.load(sys.stdin)
    json.dump({"counts": [counts(sql) for sql in doc["sql"]]}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
