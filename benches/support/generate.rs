//! A deterministic generator of realistic contracts for benchmarks: the same
//! `n` and seed give the same files, byte for byte, on every machine.
//!
//! Each contract has 10–40 columns of every logical type and uses every rule
//! kind: required, unique, accepted values, min/max, pattern, length,
//! references to earlier contracts, freshness, row count, expression,
//! unique-combination and SQL table checks, with severities, filters and
//! tolerances sprinkled in, owners, tags and a dbt binding.

use std::fmt::Write as _;

/// SplitMix64: tiny, fast and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// True with probability `percent`%.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }
}

const DOMAINS: &[&str] = &[
    "sales",
    "billing",
    "crm",
    "logistics",
    "marketing",
    "web",
    "finance",
    "hr",
    "inventory",
    "support",
];
const NOUNS: &[&str] = &[
    "account", "amount", "channel", "city", "code", "country", "currency", "discount", "email",
    "event", "label", "name", "note", "price", "quantity", "rate", "reason", "region", "score",
    "source", "status", "total", "weight",
];
const TYPES: &[&str] = &[
    "string",
    "string",
    "string",
    "integer",
    "bigint",
    "smallint",
    "decimal(12,2)",
    "double",
    "float",
    "boolean",
    "date",
    "time",
    "timestamp",
    "timestamp_tz",
    "uuid",
    "json",
    "binary",
];
const STATES: &[&str] = &[
    "new",
    "open",
    "pending",
    "active",
    "paused",
    "closed",
    "cancelled",
    "refunded",
    "archived",
];

/// The id of generated contract `i`.
pub fn contract_id(i: usize) -> String {
    format!("{}.table_{i:05}", DOMAINS[i % DOMAINS.len()])
}

/// The relative path of generated contract `i`.
pub fn contract_path(i: usize) -> String {
    format!("{}/table_{i:05}.yaml", DOMAINS[i % DOMAINS.len()])
}

/// Write the text of contract `i` of a set; it may reference contracts
/// with a lower index.
pub fn contract(i: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let domain = DOMAINS[i % DOMAINS.len()];
    let mut y = String::with_capacity(4096);
    let w = &mut y;
    let _ = writeln!(w, "contract: {}", contract_id(i));
    let _ = writeln!(
        w,
        "version: {}.{}.{}",
        rng.range(0, 4),
        rng.range(0, 20),
        rng.range(0, 9)
    );
    let _ = writeln!(w, "title: Table {i} of the {domain} domain");
    let _ = writeln!(
        w,
        "description: >\n  One row per {} of the {domain} domain, loaded hourly from the\n  operational database. Amounts are in the row's currency.",
        rng.pick(NOUNS)
    );
    let _ = writeln!(
        w,
        "owners:\n  - name: {domain} data team\n    email: {domain}-data@example.com"
    );
    if rng.chance(50) {
        let _ = writeln!(
            w,
            "  - name: Analytics\n    email: analytics@example.com\n    role: consumer"
        );
    }
    let _ = writeln!(w, "tags: [{domain}, tier{}]", rng.range(1, 3));
    let _ = writeln!(
        w,
        "dataset:\n  database: warehouse\n  schema: {domain}\n  name: table_{i:05}"
    );
    if rng.chance(50) {
        let _ = writeln!(w, "  dbt: {{model: table_{i:05}}}");
    } else {
        let _ = writeln!(w, "  dbt: {{source: {domain}_raw}}");
    }
    let _ = writeln!(
        w,
        "freshness:\n  column: loaded_at\n  warn_after: {}h\n  error_after: {}h",
        rng.range(1, 6),
        rng.range(7, 48)
    );
    if rng.chance(70) {
        let _ = writeln!(w, "row_count:\n  min: {}", rng.range(1, 10_000));
    }

    let count = rng.range(10, 40) as usize;
    let _ = writeln!(w, "columns:");
    let _ = writeln!(
        w,
        "  - name: id\n    type: bigint\n    required: true\n    unique: true"
    );
    let _ = writeln!(
        w,
        "  - name: loaded_at\n    type: timestamp_tz\n    required: true"
    );
    let mut numeric = Vec::new();
    let mut strings = Vec::new();
    for c in 2..count {
        let ty = *rng.pick(TYPES);
        let name = format!("{}_{c}", rng.pick(NOUNS));
        let _ = writeln!(w, "  - name: {name}\n    type: {ty}");
        if rng.chance(25) {
            let _ = writeln!(
                w,
                "    description: The {name} as the source system records it."
            );
        }
        if rng.chance(40) {
            let _ = writeln!(w, "    required: true");
        }
        match ty {
            "string" => {
                strings.push(name.clone());
                match rng.range(0, 3) {
                    0 => {
                        let n = rng.range(2, STATES.len() as u64) as usize;
                        let _ = writeln!(w, "    accepted_values: [{}]", STATES[..n].join(", "));
                    }
                    1 => {
                        let _ = writeln!(w, "    pattern: '[A-Z]{{2}}-[0-9]{{4,8}}'");
                    }
                    2 => {
                        let _ = writeln!(w, "    length: {{min: 1, max: {}}}", rng.range(8, 255));
                    }
                    _ => {
                        let _ = writeln!(w, "    pii: true");
                    }
                }
            }
            "integer" | "bigint" | "smallint" | "decimal(12,2)" | "double" | "float" => {
                numeric.push(name.clone());
                let _ = writeln!(w, "    min: 0");
                if rng.chance(50) {
                    let _ = writeln!(
                        w,
                        "    max:\n      value: {}\n      severity: warn\n      where: \"id is not null\"",
                        rng.range(100, 30_000)
                    );
                }
            }
            "date" => {
                let _ = writeln!(w, "    min: '2010-01-01'\n    max: '2100-12-31'");
            }
            "time" => {
                let _ = writeln!(w, "    min: '06:00:00'");
            }
            "timestamp" => {
                let _ = writeln!(w, "    min: '2015-03-01 00:00:00'");
            }
            "timestamp_tz" => {
                let _ = writeln!(w, "    min: '2015-03-01T00:00:00Z'");
            }
            "uuid" if i > 0 && rng.chance(50) => {
                let _ = writeln!(w, "    unique: true");
            }
            _ => {}
        }
        if ty == "bigint" && i > 0 && rng.chance(60) {
            let target = rng.range(0, i as u64 - 1) as usize;
            let _ = writeln!(w, "    references: {}.id", contract_id(target));
        }
        if rng.chance(10) {
            let _ = writeln!(
                w,
                "    physical_type: {{snowflake: NUMBER, postgres: numeric}}"
            );
        }
    }

    let _ = writeln!(w, "checks:");
    let _ = writeln!(w, "  - name: id_positive\n    expression: \"id > 0\"");
    if numeric.len() >= 2 {
        let _ = writeln!(
            w,
            "  - name: amounts_consistent\n    expression: \"{} <= {} + 1000000\"\n    tolerance: \"0.5%\"\n    severity: warn",
            numeric[0], numeric[1]
        );
    }
    if let Some(s) = strings.first() {
        let _ = writeln!(w, "  - name: one_row_per_key\n    unique: [id, {s}]");
    }
    if rng.chance(30) {
        let _ = writeln!(
            w,
            "  - name: no_future_loads\n    sql: |\n      select id from {{{{ table }}}}\n      where loaded_at > current_timestamp\n    tolerance: 5"
        );
    }
    y
}
