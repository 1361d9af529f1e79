#!/usr/bin/env python3
"""Write N generated ODCS v3.1 contracts, the same bytes on every machine.

    python3 bench/odcs.py N DIR

Each file is one table of 45 properties (about 13 KB): a DuckDB server,
a team, descriptions, logical type options, library quality metrics on
properties and on the object, and freshness and retention SLAs. The shape
is that of contracts exported from a catalog, as `datapact validate` and
`compile` meet them (docs/benchmarks.md, "ODCS contracts").
"""

import random
import sys
from pathlib import Path

TYPES = [
    ("string", "VARCHAR"),
    ("integer", "BIGINT"),
    ("number", "DECIMAL(12,2)"),
    ("date", "DATE"),
    ("timestamp", "TIMESTAMP"),
    ("boolean", "BOOLEAN"),
]


def prop(rng: random.Random, table: int, k: int) -> str:
    if k == 0:
        return (
            "      - name: id\n"
            "        logicalType: integer\n"
            "        physicalType: BIGINT\n"
            "        primaryKey: true\n"
            "        required: true\n"
            "        unique: true\n"
            f"        description: Surrogate key of table {table}, assigned by the loader.\n"
            "        quality:\n"
            "          - metric: nullValues\n"
            "            mustBe: 0\n"
            "          - metric: duplicateValues\n"
            "            mustBe: 0\n"
        )
    if k == 1:
        return (
            "      - name: updated_at\n"
            "        logicalType: timestamp\n"
            "        physicalType: TIMESTAMP\n"
            "        required: true\n"
            "        description: When the row was last written by the pipeline.\n"
        )
    logical, physical = TYPES[rng.randrange(len(TYPES))]
    lines = [
        f"      - name: col_{k:02d}_{logical}\n",
        f"        logicalType: {logical}\n",
        f'        physicalType: "{physical}"\n',
        f"        description: Attribute {k} of table {table}; {rng.choice(['as reported by the source system', 'derived in the staging layer', 'entered by operations', 'copied from the upstream feed'])}.\n",
    ]
    if rng.random() < 0.5:
        lines.append("        required: true\n")
    if logical == "string":
        lines.append(
            f"        logicalTypeOptions:\n          maxLength: {rng.choice([16, 64, 255])}\n"
            "          pattern: '^[A-Z][A-Z0-9_]*$'\n"
        )
    elif logical in ("integer", "number"):
        lines.append(
            f"        logicalTypeOptions:\n          minimum: 0\n          maximum: {rng.choice([100, 10000, 1000000])}\n"
        )
    quality = []
    if rng.random() < 0.6:
        quality.append("          - metric: nullValues\n            mustBe: 0\n")
    if logical == "string" and rng.random() < 0.5:
        values = ", ".join(f"V{j}" for j in range(rng.randrange(3, 8)))
        quality.append(
            "          - metric: invalidValues\n"
            f"            arguments:\n              validValues: [{values}]\n"
            "            mustBe: 0\n"
        )
    if logical == "string" and rng.random() < 0.3:
        # A second pattern, as catalogs export one per source check.
        quality.append(
            "          - metric: invalidValues\n"
            "            arguments:\n              pattern: '^[A-Z]'\n"
            "            mustBe: 0\n"
        )
    if quality:
        lines.append("        quality:\n")
        lines.extend(quality)
    return "".join(lines)


def contract(n: int) -> str:
    rng = random.Random(n)
    name = f"invoices_{n:05d}"
    props = "".join(prop(rng, n, k) for k in range(45))
    return (
        "apiVersion: v3.1.0\n"
        "kind: DataContract\n"
        f"id: bench-{n:05d}\n"
        f"name: Invoices {n}\n"
        "version: 1.0.0\n"
        "status: active\n"
        "domain: finance\n"
        "description:\n"
        f"  purpose: Invoices of business unit {n}, one row per invoice.\n"
        "  usage: Revenue reporting and dunning.\n"
        "servers:\n"
        "  - server: prod\n"
        "    type: duckdb\n"
        "    database: /data/bench.duckdb\n"
        "    schema: main\n"
        "team:\n"
        "  name: finance-data\n"
        "  members:\n"
        "    - username: finance-data@example.com\n"
        "      role: owner\n"
        "schema:\n"
        f"  - name: {name}\n"
        f"    physicalName: {name}\n"
        "    physicalType: table\n"
        f"    businessName: Invoices {n}\n"
        "    description: Issued invoices, loaded hourly from the billing system.\n"
        "    properties:\n"
        f"{props}"
        "    quality:\n"
        "      - metric: rowCount\n"
        "        mustBeGreaterThan: 0\n"
        "slaProperties:\n"
        "  - property: freshness\n"
        "    value: 24\n"
        "    unit: h\n"
        f"    element: {name}.updated_at\n"
        "  - property: retention\n"
        "    value: 3\n"
        "    unit: y\n"
    )


def main() -> None:
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (out / f"invoices_{i:05d}.odcs.yaml").write_text(contract(i))


if __name__ == "__main__":
    main()
