#!/usr/bin/env python3
"""Render datapact's dbt Jinja for each adapter, as dbt would, without dbt.

    $DATAPACT_PYTHON tests/engines/dbt_render.py < in.json > out.json

Input:
    {"macros": "<the text of every file of macros/datapact/>",
     "templates": [{"id": "...", "text": "<Jinja using target.type and this>",
                    "rows": [[...]] (for a one-scan test: what its query returned)}]}
Output:
    {"statements": [{"id": "...", "dialect": "<datapact dialect>", "sql": "..."}]}

For each adapter datapact writes implementations for, every generic test
is called with sample arguments (with and without a tolerance), through
`adapter.dispatch` resolved as dbt resolves it (the adapter's own
implementation, then its parent adapter's, then `default__`); each
template is rendered with `target.type` set to the adapter. tests/sqlglot.rs
parse-checks the SQL with sqlglot (tests/engines/parse.py). Jinja2 is the
library dbt renders with; dbt's own names are stood in for: `return`,
`config`, `adapter.dispatch`, a `{% test %}` block as a macro.
"""

import json
import re
import sys

import jinja2

# dbt adapter → (datapact dialect, the adapters whose implementations it
# falls back to before `default__`).
ADAPTERS = {
    "duckdb": ("duckdb", []),
    "postgres": ("postgres", []),
    "snowflake": ("snowflake", []),
    "bigquery": ("bigquery", []),
    "redshift": ("redshift", ["postgres"]),
    "databricks": ("databricks", ["spark"]),
    "spark": ("databricks", []),
    "trino": ("trino", []),
    "sqlserver": ("sqlserver", []),
    "fabric": ("sqlserver", []),
    "synapse": ("sqlserver", ["fabric", "sqlserver"]),
}

# Each test with sample arguments: plain names, so every dialect reads them.
CALLS = [
    ("test_datapact_accepted_values", dict(column_name="status", values=["'a'", "'b'"])),
    ("test_datapact_expression", dict(expression="amount >= 0")),
    ("test_datapact_length", dict(column_name="code", min_length=2, max_length=5)),
    ("test_datapact_pattern", dict(column_name="code", regex="[a-z]+'\\d{2}")),
    ("test_datapact_range", dict(column_name="amount", min_value="0", max_value="10")),
    ("test_datapact_references", dict(column_name="customer_id", to="customers", field="id")),
    ("test_datapact_required", dict(column_name="code")),
    ("test_datapact_unique", dict(column_name="code")),
    ("test_datapact_unique_combination", dict(columns=["code", "status"])),
    ("test_datapact_row_count", dict(min_rows=1, max_rows=100)),
    (
        "test_datapact_freshness",
        dict(column="loaded_at", column_type="date", warn_after_seconds=60, error_after_seconds=120),
    ),
    (
        "test_datapact_freshness",
        dict(column="loaded_at", column_type="timestamp", warn_after_seconds=60),
    ),
    (
        "test_datapact_freshness",
        dict(column="loaded_at", column_type="timestamp_tz", error_after_seconds=120),
    ),
]
# Tests that take a tolerance are also called with one.
TOLERANT = {
    "test_datapact_accepted_values",
    "test_datapact_expression",
    "test_datapact_length",
    "test_datapact_pattern",
    "test_datapact_range",
    "test_datapact_references",
    "test_datapact_required",
    "test_datapact_unique",
    "test_datapact_unique_combination",
}


def as_macros(text):
    """dbt's `{% test name(…) %}` blocks as plain macros `test_name`."""
    text = re.sub(r"\{%(-?)\s*test\s+(\w+)\(", r"{%\1 macro test_\2(", text)
    return re.sub(r"\{%(-?)\s*endtest\s*(-?)%\}", r"{%\1 endmacro \2%}", text)


def render_all(doc):
    env = jinja2.Environment(extensions=["jinja2.ext.do"], undefined=jinja2.StrictUndefined)
    out = []
    for adapter, (dialect, parents) in ADAPTERS.items():
        holder = {}

        class Adapter:
            @staticmethod
            def dispatch(name, namespace):
                assert namespace == "datapact", namespace
                for prefix in [adapter, *parents, "default"]:
                    macro = getattr(holder["module"], f"{prefix}__{name}", None)
                    if macro is not None:
                        return macro
                raise LookupError(f"no implementation of {name} for {adapter}")

        globals_ = {
            "adapter": Adapter,
            "return": lambda value: value,
            "config": lambda **_: "",
            "target": {"type": adapter},
        }
        module = env.from_string(as_macros(doc["macros"]), globals=globals_).module
        holder["module"] = module
        for name, args in CALLS:
            tolerances = [None, 2.5] if name in TOLERANT else [None]
            for tolerance in tolerances:
                kwargs = dict(args, model="orders")
                if name in TOLERANT:
                    kwargs["tolerance_percent"] = tolerance
                sql = str(getattr(module, name)(**kwargs)).strip()
                suffix = "" if tolerance is None else " with a tolerance"
                what = args.get("column_type", "")
                out.append(
                    {
                        "id": f"{adapter} {name} {what}{suffix}".replace("  ", " "),
                        "dialect": dialect,
                        "sql": sql,
                    }
                )
        for template in doc.get("templates", []):
            # A one-scan test reads the rows its query returned (`rows`:
            # each row's columns as the check query orders them).
            rows = template.get("rows")

            class Result:
                pass

            result = Result()
            result.rows = rows or []
            context = {
                "target": {"type": adapter},
                "this": "events",
                "execute": rows is not None,
                "run_query": lambda _sql: result,
                "log": lambda *_args, **_kwargs: "",
                "config": lambda **_: "",
                "ref": lambda name: name,
                "source": lambda source, table: f"{source}.{table}",
            }
            sql = env.from_string(template["text"]).render(**context)
            out.append({"id": f"{adapter} {template['id']}", "dialect": dialect, "sql": sql.strip()})
    return out


def main():
    try:
        doc = json.load(sys.stdin)
    except ValueError as err:
        print(f"dbt_render.py: bad input: {err}", file=sys.stderr)
        return 2
    json.dump({"statements": render_all(doc)}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
