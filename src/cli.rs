//! The command line: arguments → a resolved command → library calls → exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::{self, Code, Diagnostic, HumanOptions, Summary};
use crate::output::{self, write_atomic};
use crate::project::Target;
use crate::source::Sources;
use crate::syntax::schema;
use crate::types::Dialect;
use crate::{emit, load, project};

/// Exit codes: every contract valid (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// Exit code: at least one contract has an error.
pub const EXIT_CONTRACT_ERRORS: u8 = 1;
/// Exit code: bad usage, or a file or directory could not be read or written.
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "datapact",
    version = env!("DATAPACT_VERSION"),
    about = "Validate data contracts and compile them into checks",
    long_about = "datapact reads data contracts (YAML files stating a dataset's schema, \
freshness SLA, owners and quality rules), validates them with located diagnostics, \
and compiles them into checks.\n\nExit codes: 0 all contracts valid (warnings allowed), \
1 contract errors, 2 usage or IO errors."
)]
pub struct Cli {
    /// How to print diagnostics and reports; each command's `--help` lists
    /// the formats it takes (also accepted after the command).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// When to colour human output. Colour is used only on a terminal, and never
    /// when the NO_COLOR environment variable is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// The project file to read defaults from [default: ./datapact.yaml, if present].
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print errors only; warnings are counted in the summary line. Human
    /// and GitHub output; JSON and SARIF list every diagnostic.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// Print at most N diagnostics of a report (errors first), then count
    /// the ones left out. Human and GitHub output; JSON and SARIF list
    /// every diagnostic.
    #[arg(long, global = true, value_name = "N")]
    pub max_diagnostics: Option<usize>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
    /// `diff`, `run` and `report` only.
    Markdown,
    /// `run` only.
    Junit,
    /// `report` only: one self-contained page.
    Html,
    /// `validate` and `diff` only: SARIF 2.1.0, for code scanning.
    Sarif,
}

/// A format's name and what it prints.
type FormatHelp = (&'static str, &'static str);

/// Each command's formats and its examples.
const COMMANDS: &[(&str, &[FormatHelp], &str)] = &[
    (
        "init",
        &[HUMAN, JSON, GITHUB],
        "  datapact init                  # a project in this directory
  datapact init analytics --force # a project in ./analytics, overwriting",
    ),
    (
        "validate",
        &[HUMAN, JSON, GITHUB, SARIF],
        "  datapact validate                          # the project's contracts
  datapact validate contracts/orders.yaml    # one file, the others as context
  datapact validate --format sarif > datapact.sarif",
    ),
    (
        "compile",
        &[HUMAN, JSON, GITHUB],
        "  datapact compile                                   # the targets of datapact.yaml
  datapact compile --target sql,docs --dialect duckdb --out build
  datapact compile --target dbt --dbt-project . --dbt-dialect postgres
  datapact compile --check                           # exit 1 when build/ is stale",
    ),
    (
        "convert",
        &[HUMAN, JSON, GITHUB],
        "  datapact convert orders.odcs.yaml --to native      # ODCS to native, printed
  datapact convert contracts --to odcs --out odcs/",
    ),
    (
        "diff",
        &[
            HUMAN,
            JSON,
            GITHUB,
            ("markdown", "a report for a pull-request comment"),
            SARIF,
        ],
        "  datapact diff --base origin/main                   # the project's contracts against a branch
  datapact diff old/orders.yaml contracts/orders.yaml
  datapact diff --base origin/main --format markdown >> \"$GITHUB_STEP_SUMMARY\"",
    ),
    (
        "run",
        &[
            HUMAN,
            JSON,
            GITHUB,
            ("markdown", "a report for a pull-request comment or job summary"),
            ("junit", "JUnit XML, for CI test views"),
        ],
        "  datapact run                                       # on the example data (datasets' `path`)
  datapact run --connection duckdb:warehouse.duckdb --samples 5
  datapact run --connection \"postgresql://ci@db/analytics\" --store results.duckdb
  datapact run --format junit > datapact.xml",
    ),
    (
        "report",
        &[
            HUMAN,
            JSON,
            ("markdown", "tables for a wiki page"),
            ("html", "one self-contained page"),
        ],
        "  datapact report --store results.duckdb
  datapact report --store results.duckdb --format html > slo.html",
    ),
    (
        "import",
        &[HUMAN, JSON, GITHUB],
        "  datapact import --connection duckdb:warehouse.duckdb --table main.orders
  datapact import --dbt-manifest target/manifest.json --out contracts/
  datapact import schema.sql --dialect postgres --out contracts/",
    ),
    (
        "schema",
        &[HUMAN, JSON, GITHUB],
        "  datapact schema --out datapact.schema.json",
    ),
];
const HUMAN: FormatHelp = ("human", "for people, on stderr");
const JSON: FormatHelp = ("json", "one JSON document on stdout");
const GITHUB: FormatHelp = ("github", "GitHub Actions annotations on stdout");
const SARIF: FormatHelp = ("sarif", "SARIF 2.1.0 on stdout, for code scanning");

/// The command line: [`Cli`], with each command's own `--format` (only the
/// formats it prints) and its examples.
pub fn command() -> clap::Command {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let mut cmd = <Cli as clap::CommandFactory>::command();
    for (name, formats, examples) in COMMANDS {
        let values: Vec<PossibleValue> = formats
            .iter()
            .map(|(value, help)| PossibleValue::new(*value).help(*help))
            .collect();
        let format = clap::Arg::new("format")
            .long("format")
            .value_name("FORMAT")
            .help("How to print the output [default: human]")
            .value_parser(
                PossibleValuesParser::new(values)
                    .map(|v| Format::from_str(&v, false).expect("a format's name")),
            );
        cmd = cmd.mut_subcommand(*name, |sub| {
            sub.arg(format).after_help(format!("Examples:\n{examples}"))
        });
    }
    cmd
}

/// Which status fails `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A failed check, or one that could not be evaluated.
    Error,
    /// Also a check that warned.
    Warn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a starter project: datapact.yaml, datapact.schema.json (for editors)
    /// and contracts/example.yaml.
    Init {
        /// Directory to create the project in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
    },
    /// Validate contracts and report every problem, across all files, in one run.
    Validate {
        /// Contract files or directories (searched recursively for *.yaml and *.yml)
        /// [default: the `contracts` paths of datapact.yaml, else ./contracts].
        paths: Vec<PathBuf>,
    },
    /// Compile contracts into checks and docs: SQL check queries per dialect,
    /// dbt tests, Markdown and HTML documentation. Writes only files that
    /// changed and removes only files it wrote before (listed in
    /// <out>/datapact-manifest.json).
    Compile {
        /// Contract files or directories [default: the `contracts` paths of
        /// datapact.yaml, else ./contracts].
        paths: Vec<PathBuf>,
        /// What to generate, comma-separated [default: `targets` of datapact.yaml, else sql].
        #[arg(long, value_delimiter = ',', value_parser = target_parser())]
        target: Vec<String>,
        /// SQL dialects, comma-separated, or `all` [default: `dialects` of
        /// datapact.yaml, else all].
        #[arg(long, value_delimiter = ',', value_parser = dialect_parser())]
        dialect: Vec<String>,
        /// Output directory [default: `out` of datapact.yaml, else ./build].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Write nothing; exit 1 and list every missing, stale and extra file
        /// if the output directory is not exactly what compile would write.
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        dbt: DbtArgs,
        /// Docs target: a directory of templates that override the built-in
        /// ones by file name (index.md, contract.md, index.html, contract.html,
        /// layout.html, ...) [default: `docs_templates` of datapact.yaml].
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Docs target: show each contract's latest results and SLO
        /// attainment from this results store (see `run --store`).
        #[arg(long, value_name = "FILE|URL|NAME")]
        results: Option<String>,
        /// Split a check query larger than N bytes into parts, each one more
        /// scan of the table, for a server configured below its dialect's
        /// limit [default: the dialect's: BigQuery 200 KB, Snowflake and
        /// Trino 1 MB, Redshift 16 MB, SQL Server 128 MB].
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1000..))]
        max_query_bytes: Option<u64>,
    },
    /// Convert contracts (native, ODCS or DCS) to the native language or to
    /// ODCS v3.1. With one contract and no --out, prints it.
    Convert {
        /// Contract files or directories [default: the `contracts` paths of
        /// datapact.yaml, else ./contracts].
        paths: Vec<PathBuf>,
        /// The format to write: `native` or `odcs` (v3.1).
        #[arg(long, value_parser = ["native", "odcs"])]
        to: String,
        /// Write one file per contract into this directory
        /// (<contract>.yaml, or <contract>.odcs.yaml) instead of standard output.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Overwrite files that already exist in --out.
        #[arg(long)]
        force: bool,
    },
    /// Compare contracts with an earlier version of them: list every change
    /// (breaking, minor or patch, from a consumer's point of view, with its
    /// place in the file) and check that each contract's version bump allows
    /// its changes. Exit 0 when every bump does, 1 when one does not (or a
    /// contract has errors), 2 on usage, IO or git errors.
    Diff {
        /// Without --base: the OLD and the NEW contracts, two files or two
        /// directories. With --base: the contracts to compare with their
        /// version at that revision [default: the `contracts` paths of
        /// datapact.yaml, else ./contracts].
        paths: Vec<PathBuf>,
        /// Compare with the contracts at this git revision (a branch, tag or
        /// commit, e.g. `origin/main`); added and removed files count too.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// Accept removed contracts (a removal cannot be versioned, so it
        /// fails the diff otherwise).
        #[arg(long)]
        allow_removed: bool,
    },
    /// Run the contracts' checks on the data: each dataset's schema
    /// conformance, then its one-scan check query, and report every check.
    /// Exit 0 when every check passed or only warned, 1 when one failed (or,
    /// with --fail-on warn, warned) or could not be evaluated, 2 on usage,
    /// configuration or connection errors.
    Run {
        /// Contract files or directories [default: the `contracts` paths of
        /// datapact.yaml, else ./contracts].
        paths: Vec<PathBuf>,
        /// A connection URL (`duckdb:PATH`, `duckdb::memory:`,
        /// `postgresql://…`, `adbc:DRIVER?uri=…`) or the name of a
        /// connection in datapact.yaml [default: `default_connection`, else
        /// an in-memory DuckDB reading the datasets' `path` files].
        #[arg(long, value_name = "URL|NAME")]
        connection: Option<String>,
        /// The connection's SQL dialect, when its URL does not tell.
        #[arg(long, value_parser = one_dialect_parser())]
        dialect: Option<String>,
        /// The lowest status that fails the run (exit 1).
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Datasets checked at the same time, each on its own connection
        /// [default: the number of cores].
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
        threads: Option<u32>,
        /// The longest a query may run before it is cancelled (`30s`, `10m`, `1h`).
        #[arg(long, value_name = "DURATION", default_value = "10m")]
        timeout: String,
        /// Append this run's results to a results store: a DuckDB file
        /// (created when missing), a `postgresql://` URL, or a connection
        /// named in datapact.yaml [default: `store` of datapact.yaml].
        #[arg(long, value_name = "FILE|URL|NAME")]
        store: Option<String>,
        /// Store nothing, even when datapact.yaml names a `store` (an ad-hoc run).
        #[arg(long, conflicts_with = "store")]
        no_store: bool,
        /// Fetch up to N (at most 1000) failing rows of each row-level check
        /// that failed or warned (its failing-rows query with a limit, run
        /// only for those), shown in the human, json, markdown and junit
        /// reports and kept in the store; values of columns marked
        /// `pii: true` are written `***`.
        #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1000))]
        samples: u64,
        /// Split a check query larger than N bytes into parts, each one more
        /// scan of the table, for a server configured below its dialect's
        /// limit [default: the dialect's: BigQuery 200 KB, Snowflake and
        /// Trino 1 MB, Redshift 16 MB, SQL Server 128 MB].
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1000..))]
        max_query_bytes: Option<u64>,
    },
    /// Measure the contracts' service-level objectives over the runs kept
    /// in a results store: per contract, the share of runs in which
    /// freshness and quality held, the error budget left and its burn rate.
    /// Exit 0 when every contract has error budget left, 1 when one has
    /// spent it, 2 on usage, configuration or store errors.
    Report {
        /// The contracts whose objectives apply [default: the `contracts`
        /// paths of datapact.yaml, else ./contracts; without contract files,
        /// every contract of the store has the default objectives].
        paths: Vec<PathBuf>,
        /// The results store (a DuckDB file, a `postgresql://` URL, or a
        /// connection named in datapact.yaml) [default: `store` of datapact.yaml].
        #[arg(long, value_name = "FILE|URL|NAME")]
        store: Option<String>,
        /// Measure every contract over this window (`24h`, `7d`, `30d`)
        /// instead of its own `slo.window`.
        #[arg(long, value_name = "DURATION")]
        since: Option<String>,
    },
    /// Draft contracts from what exists, one per table: CREATE TABLE
    /// statements (DDL files), a live connection's catalog, or a dbt
    /// manifest; with --profile, also rules that hold on the data today.
    /// Every draft validates as written; review it before committing it.
    /// Exit 0 when the drafts were written, 2 on usage, IO or connection
    /// errors.
    Import {
        /// DDL files, or directories searched for *.sql (needs --dialect).
        paths: Vec<PathBuf>,
        /// Read the catalog of this connection (a URL or the name of a
        /// connection in datapact.yaml).
        #[arg(long, value_name = "URL|NAME")]
        connection: Option<String>,
        /// Read the models, sources and tests of a dbt project's
        /// target/manifest.json.
        #[arg(long, value_name = "FILE")]
        dbt_manifest: Option<PathBuf>,
        /// The SQL dialect of the DDL files, or of the connection when its
        /// URL does not tell.
        #[arg(long, value_parser = one_dialect_parser())]
        dialect: Option<String>,
        /// Import only the tables of these schemas (comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "SCHEMA")]
        schema: Vec<String>,
        /// Import only these tables (`schema.table` or `table`, a dbt
        /// node's name too; comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "TABLE")]
        table: Vec<String>,
        /// Connection: also scan each table once and propose the rules
        /// that hold today, each with a comment saying what was observed.
        #[arg(long)]
        profile: bool,
        /// The format to write: `native` or `odcs` (v3.1).
        #[arg(long, value_parser = ["native", "odcs"], default_value = "native")]
        to: String,
        /// Write one file per contract into this directory instead of
        /// standard output (which takes one contract).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Overwrite files that already exist in --out.
        #[arg(long)]
        force: bool,
    },
    /// Print the JSON Schema of the contract language, for editors (yaml-language-server).
    Schema {
        /// Write the schema to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// Options of the dbt target; each overrides its `dbt_*` key of datapact.yaml.
#[derive(Debug, Clone, clap::Args)]
pub struct DbtArgs {
    /// The dialect of the dbt project's adapter, to write the files for it
    /// alone [default: `dbt_dialect` of datapact.yaml, else files that work
    /// on every adapter].
    #[arg(long, value_name = "DIALECT", value_parser = one_dialect_parser())]
    pub dbt_dialect: Option<String>,
    /// `per_rule`: one dbt test per rule; `single_scan`: one test per model
    /// running the one-scan check query [default: `dbt_tests`, else per_rule].
    #[arg(long, value_name = "MODE", value_parser = ["per_rule", "single_scan"])]
    pub dbt_tests: Option<String>,
    /// Enforce model contracts: column data types and not-null/unique constraints.
    #[arg(long)]
    pub dbt_enforce_contracts: bool,
    /// Write the dbt files into this dbt project (only under datapact/ in
    /// its model, macro and test paths) instead of <out>/dbt.
    #[arg(long, value_name = "DIR")]
    pub dbt_project: Option<PathBuf>,
}

/// Parse the process arguments and run.
pub fn main() -> ExitCode {
    use clap::FromArgMatches;
    let parsed = command()
        .try_get_matches()
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let cli = match parsed {
        Ok((mut cli, matches)) => {
            // `datapact validate --format json` as `datapact --format json validate`.
            let own = matches
                .subcommand()
                .and_then(|(_, m)| m.get_one::<Format>("format"));
            if let Some(format) = own {
                cli.format = *format;
            }
            cli
        }
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_OK
            });
        }
    };
    ExitCode::from(run(&cli))
}

/// Run a parsed command; returns the exit code.
pub fn run(cli: &Cli) -> u8 {
    let mut out = Output::new(cli);
    if cli.format == Format::Markdown
        && !matches!(
            cli.command,
            Command::Diff { .. } | Command::Run { .. } | Command::Report { .. }
        )
    {
        return out.fail(
            Diagnostic::error(
                Code::InvalidValue,
                "`--format markdown` is for `diff`, `run` and `report` only",
            )
            .with_help("use `human`, `json` or `github`"),
        );
    }
    if cli.format == Format::Sarif
        && !matches!(cli.command, Command::Validate { .. } | Command::Diff { .. })
    {
        out.format = Format::Human;
        return out.fail(
            Diagnostic::error(
                Code::InvalidValue,
                "`--format sarif` is for `validate` and `diff` only",
            )
            .with_help("use `human`, `json` or `github`"),
        );
    }
    if cli.format == Format::Junit && !matches!(cli.command, Command::Run { .. }) {
        return out.fail(
            Diagnostic::error(Code::InvalidValue, "`--format junit` is for `run` only")
                .with_help("use `human`, `json` or `github`"),
        );
    }
    if cli.format == Format::Html && !matches!(cli.command, Command::Report { .. }) {
        return out.fail(
            Diagnostic::error(Code::InvalidValue, "`--format html` is for `report` only")
                .with_help(
                    "use `human`, `json` or `github`; the HTML catalog is `compile --target docs`",
                ),
        );
    }
    if matches!(cli.command, Command::Report { .. })
        && matches!(cli.format, Format::Github | Format::Junit)
    {
        return out.fail(
            Diagnostic::error(
                Code::InvalidValue,
                "`report` prints `human`, `json`, `markdown` or `html`",
            )
            .with_help("pick one of those with --format"),
        );
    }
    match &cli.command {
        Command::Init { dir, force } => init(&mut out, dir, *force),
        Command::Validate { paths } => validate(&mut out, cli, paths),
        Command::Schema { out: file } => write_schema(&mut out, file.as_deref()),
        Command::Run {
            paths,
            connection,
            dialect,
            fail_on,
            threads,
            timeout,
            store,
            no_store,
            samples,
            max_query_bytes,
        } => run_checks(
            &mut out,
            cli,
            &RunArgs {
                paths,
                connection: connection.as_deref(),
                dialect: dialect.as_deref(),
                fail_on: *fail_on,
                threads: *threads,
                timeout,
                store: store.as_deref(),
                no_store: *no_store,
                samples: *samples,
                max_query_bytes: max_query_bytes.map(|n| n as usize),
            },
        ),
        Command::Report {
            paths,
            store,
            since,
        } => slo_report(&mut out, cli, paths, store.as_deref(), since.as_deref()),
        Command::Diff {
            paths,
            base,
            allow_removed,
        } => diff(
            &mut out,
            cli,
            paths,
            base.as_deref(),
            crate::diff::Options {
                allow_removed: *allow_removed,
            },
        ),
        Command::Convert {
            paths,
            to,
            out: dir,
            force,
        } => convert(&mut out, cli, paths, to, dir.as_deref(), *force),
        Command::Import {
            paths,
            connection,
            dbt_manifest,
            dialect,
            schema,
            table,
            profile,
            to,
            out: dir,
            force,
        } => import(
            &mut out,
            cli,
            &ImportArgs {
                paths,
                connection: connection.as_deref(),
                dbt_manifest: dbt_manifest.as_deref(),
                dialect: dialect.as_deref().and_then(Dialect::from_name),
                request: crate::import::catalog::Request {
                    schemas: schema.clone(),
                    tables: table.clone(),
                },
                profile: *profile,
                to,
                dir: dir.as_deref(),
                force: *force,
            },
        ),
        Command::Compile {
            paths,
            target,
            dialect,
            out: dir,
            check,
            dbt,
            templates,
            results,
            max_query_bytes,
        } => compile(
            &mut out,
            cli,
            &CompileArgs {
                paths,
                targets: target,
                dialects: dialect,
                dir: dir.as_deref(),
                check: *check,
                dbt,
                templates: templates.as_deref(),
                results: results.as_deref(),
                max_query_bytes: max_query_bytes.map(|n| n as usize),
            },
        ),
    }
}

fn target_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(Target::ALL.map(Target::name))
}

fn one_dialect_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(Dialect::ALL.iter().map(|d| d.name()))
}

fn dialect_parser() -> clap::builder::PossibleValuesParser {
    let mut names: Vec<&'static str> = Dialect::ALL.iter().map(|d| d.name()).collect();
    names.push("all");
    clap::builder::PossibleValuesParser::new(names)
}

/// Where diagnostics and messages go, in the chosen format.
struct Output {
    format: Format,
    human: HumanOptions,
    limits: diagnostic::Limits,
}

impl Output {
    fn new(cli: &Cli) -> Output {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = !no_color
            && match cli.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => std::io::stderr().is_terminal(),
            };
        Output {
            format: cli.format,
            human: HumanOptions { color, width: 100 },
            limits: diagnostic::Limits {
                quiet: cli.quiet,
                max: cli.max_diagnostics,
            },
        }
    }

    /// Print diagnostics; in JSON, with the summary.
    fn diagnostics(&mut self, diagnostics: &[Diagnostic], sources: &Sources, summary: Summary) {
        match self.format {
            Format::Human | Format::Markdown | Format::Junit | Format::Html => {
                let human = self.human;
                self.print_selected(diagnostics, sources, &mut std::io::stderr().lock(), |d| {
                    format!("{}\n", diagnostic::render_human(d, sources, human))
                });
            }
            Format::Json => {
                let _ = std::io::stdout()
                    .write_all(diagnostic::render_json(diagnostics, sources, summary).as_bytes());
            }
            Format::Github => {
                self.print_selected(diagnostics, sources, &mut std::io::stdout().lock(), |d| {
                    diagnostic::render_github(d, sources)
                });
            }
            Format::Sarif => {
                let _ = std::io::stdout()
                    .write_all(crate::sarif::diagnostics(diagnostics, sources).as_bytes());
            }
        }
    }

    /// Print what [`diagnostic::select`] keeps of `diagnostics` (at most
    /// `--max-diagnostics` of them, errors first), then say how many were
    /// left out. Each report has the whole budget: an error that ends a
    /// command after its contracts' warnings is always shown.
    fn print_selected(
        &self,
        diagnostics: &[Diagnostic],
        sources: &Sources,
        to: &mut dyn Write,
        render: impl Fn(&Diagnostic) -> String,
    ) {
        let selection = diagnostic::select(diagnostics, self.limits);
        let summaries = selection.summaries(sources);
        for d in selection.full.iter().copied().chain(&summaries) {
            let _ = to.write_all(render(d).as_bytes());
        }
        let _ = to.flush();
        self.cut(selection.cut);
    }

    /// Say how many diagnostics `--max-diagnostics` left out.
    fn cut(&self, (errors, warnings): (usize, usize)) {
        if errors + warnings > 0 {
            self.status(&format!(
                "{} not shown ({}, {}; --max-diagnostics {})",
                plural(errors + warnings, "more diagnostic"),
                plural(errors, "error"),
                plural(warnings, "warning"),
                self.limits.max.unwrap_or_default()
            ));
        }
    }

    /// Report one usage or IO problem (not about a contract); returns exit code 2.
    fn fail(&mut self, diagnostic: Diagnostic) -> u8 {
        let summary = Summary {
            errors: 1,
            ..Summary::default()
        };
        self.diagnostics(&[diagnostic], &Sources::new(), summary);
        EXIT_USAGE
    }

    /// A status line for people; never mixed into JSON on stdout. Paths in
    /// it may come from a manifest or a file name: escaped.
    fn status(&self, line: &str) {
        let _ = writeln!(std::io::stderr(), "{}", crate::text::escape_lines(line));
    }
}

fn count_diagnostics(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The contracts to check: `paths`, else the project's; and the context
/// for given paths (see [`context`]).
fn contract_paths(
    out: &mut Output,
    cli: &Cli,
    paths: &[PathBuf],
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), u8> {
    let project = read_project(out, cli)?;
    if paths.is_empty() {
        Ok((project.contracts, Vec::new()))
    } else {
        Ok((paths.to_vec(), context(cli, &project, paths)))
    }
}

/// When contracts are given by path in a project (a datapact.yaml here or
/// named by --config), the project's other contracts are context: they
/// may be referenced, and are read for that but not reported on, so one
/// file validates (in an editor, or a pre-commit hook on the files a
/// commit changes) as it does with the whole project.
fn context(cli: &Cli, project: &project::Project, given: &[PathBuf]) -> Vec<PathBuf> {
    let in_project = cli.config.is_some() || Path::new(project::FILE_NAME).is_file();
    if given.is_empty() || !in_project {
        return Vec::new();
    }
    project.contracts.clone()
}

/// Read the project file: the `--config` one, else ./datapact.yaml if present.
fn read_project(out: &mut Output, cli: &Cli) -> Result<project::Project, u8> {
    let (path, explicit) = match &cli.config {
        Some(p) => (p.clone(), true),
        None => (PathBuf::from(project::FILE_NAME), false),
    };
    if !explicit && path.symlink_metadata().is_err() {
        return Ok(project::Project::default());
    }
    // Bounded as contract files are: it may be a link to a device or a FIFO.
    let limit = crate::syntax::yaml::MAX_FILE_BYTES;
    let text = match load::read_text(&path, limit, "a project file") {
        Ok(t) => t,
        Err(why) => return Err(out.fail(load::io_error(&path, &why))),
    };
    let mut sources = Sources::new();
    let file = sources.add(load::display(&path), text);
    let dir = path.parent().unwrap_or(Path::new(""));
    let (project, diagnostics) = project::parse(&sources, file, dir);
    if diagnostics.iter().any(Diagnostic::is_error) {
        let (errors, warnings) = count_diagnostics(&diagnostics);
        out.diagnostics(
            &diagnostics,
            &sources,
            Summary {
                files: 1,
                contracts: 0,
                errors,
                warnings,
            },
        );
        return Err(EXIT_USAGE);
    }
    Ok(project)
}

fn validate(out: &mut Output, cli: &Cli, paths: &[PathBuf]) -> u8 {
    let (paths, context) = match contract_paths(out, cli, paths) {
        Ok(paths) => paths,
        Err(code) => return code,
    };
    let Run { code, json, .. } =
        check_contracts(out, &paths, &context, "validate", Keep::Diagnostics, None);
    if let Some(doc) = json {
        print_json(&doc);
    }
    code
}

fn print_json(doc: &serde_json::Value) {
    let mut text = serde_json::to_string_pretty(doc).expect("JSON serializes");
    text.push('\n');
    let _ = std::io::stdout().write_all(text.as_bytes());
}

/// What [`check_contracts`] found.
struct Run {
    /// The exit code so far.
    code: u8,
    /// The IR, when there are no errors.
    ir: Option<crate::ir::Ir>,
    /// Where each contract id of the IR is written.
    ids: std::collections::BTreeMap<String, crate::source::Span>,
    /// Where each part of each contract is written (for `run` only).
    origins: std::collections::BTreeMap<String, crate::ir::Origin>,
    sources: Sources,
    /// In JSON format, the diagnostics document (for the caller to print,
    /// so stdout holds exactly one JSON document).
    json: Option<serde_json::Value>,
}

/// Load, validate and lower contracts, printing diagnostics and a status
/// line.
/// The verb of `run`'s own validation, in its status line.
const RUN_VERB: &str = "run: validate";

/// Where each part of each contract is written, by contract id.
type Origins = std::collections::BTreeMap<String, crate::ir::Origin>;

/// A command's own checks of contracts that validate, run before anything
/// is reported: more diagnostics, or `Err` with a usage error (exit 2).
type After<'a> = dyn FnMut(&crate::ir::Ir, &Origins, &mut Sources) -> Result<Vec<Diagnostic>, Vec<Diagnostic>>
    + 'a;

/// What [`check_contracts`] keeps of contracts that validate.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Nothing: `validate` reports diagnostics only.
    Diagnostics,
    /// The IR.
    Ir,
    /// The IR and where each part of each contract is written.
    Origins,
}

/// Load and check the contracts under `paths`, reporting as `verb`, and
/// keep what `keep` says. What `after` finds in contracts that validate
/// (it needs [`Keep::Origins`]) is reported with the rest.
fn check_contracts(
    out: &mut Output,
    paths: &[PathBuf],
    context: &[PathBuf],
    verb: &str,
    keep: Keep,
    mut after: Option<&mut After>,
) -> Run {
    let load::Loaded {
        mut sources,
        diagnostics: mut io,
        skipped,
    } = load::load_counted(paths);
    let checked_files = sources.len();
    let context_files = if context.is_empty() || checked_files == 0 {
        0
    } else {
        // The project's other files, after the checked ones; their
        // problems are not reported (`validate` of the project does).
        let canonical = |path: &str| std::fs::canonicalize(path).ok();
        let checked: std::collections::HashSet<PathBuf> = sources
            .iter()
            .filter_map(|(_, f)| canonical(&f.path))
            .collect();
        let more = load::load_counted(context).sources;
        let mut added = 0;
        for (_, file) in more.iter() {
            if canonical(&file.path).is_none_or(|c| !checked.contains(&c)) {
                sources.add(file.path.clone(), file.text.clone());
                added += 1;
            }
        }
        added
    };
    let only_files = paths.iter().all(|p| !p.is_dir());
    if sources.is_empty() && io.is_empty() && !(only_files && skipped > 0) {
        let shown: Vec<String> = paths.iter().map(|p| load::display(p)).collect();
        let others = match skipped {
            0 => String::new(),
            1 => " (the one YAML file there is not a contract)".to_string(),
            n => format!(" (none of the {n} YAML files there is a contract)"),
        };
        io.push(
            Diagnostic::error(
                Code::NoContracts,
                format!(
                    "no contract files (*.yaml, *.yml) under {}{others}",
                    shown.join(", ")
                ),
            )
            .with_path(shown.join(", "))
            .with_help("pass the files or directories to validate, or run `datapact init`"),
        );
    }
    let checked = crate::check_with(
        &sources,
        crate::Options {
            scope: crate::Scope::Complete,
            ir: keep != Keep::Diagnostics,
            origins: keep == Keep::Origins,
            checked_files: Some(checked_files),
        },
    );
    let mut usage = !io.is_empty();
    let mut diagnostics = io;
    diagnostics.extend(checked.diagnostics);
    if let (Some(after), Some(ir)) = (after.as_mut(), &checked.ir) {
        if !diagnostics.iter().any(Diagnostic::is_error) {
            match after(ir, &checked.origins, &mut sources) {
                Ok(found) => diagnostics.extend(found),
                Err(found) => {
                    usage = true;
                    diagnostics.extend(found);
                }
            }
        }
    }
    let (errors, warnings) = count_diagnostics(&diagnostics);
    let summary = Summary {
        files: checked_files,
        contracts: checked.contracts,
        errors,
        warnings,
    };
    let json = if out.format == Format::Json {
        Some(
            serde_json::from_str(&diagnostic::render_json(&diagnostics, &sources, summary))
                .expect("render_json writes JSON"),
        )
    } else {
        out.diagnostics(&diagnostics, &sources, summary);
        None
    };
    if out.format != Format::Json {
        let verdict = if errors == 0 { "ok" } else { "failed" };
        let mut others = match skipped {
            0 => String::new(),
            1 => "; skipped 1 YAML file that is not a contract or that datapact wrote".to_string(),
            n => format!("; skipped {n} YAML files that are not contracts or that datapact wrote"),
        };
        if errors > 0 && verb == "compile" {
            others.push_str("; nothing was written");
        }
        if context_files > 0 {
            others.push_str(&format!(
                "; read {} of the project for references",
                plural(context_files, "other file")
            ));
        }
        out.status(&format!(
            "{verb} {verdict}: {} in {}, {}, {}{others}",
            plural(summary.contracts, "contract"),
            plural(summary.files, "file"),
            plural(errors, "error"),
            plural(warnings, "warning"),
        ));
    }
    let code = if usage {
        EXIT_USAGE
    } else if errors > 0 {
        EXIT_CONTRACT_ERRORS
    } else {
        EXIT_OK
    };
    Run {
        code,
        ir: checked.ir.filter(|_| code == EXIT_OK),
        ids: checked.ids,
        origins: checked.origins,
        sources,
        json,
    }
}

struct CompileArgs<'a> {
    paths: &'a [PathBuf],
    targets: &'a [String],
    dialects: &'a [String],
    dir: Option<&'a Path>,
    check: bool,
    dbt: &'a DbtArgs,
    templates: Option<&'a Path>,
    results: Option<&'a str>,
    max_query_bytes: Option<usize>,
}

fn compile(out: &mut Output, cli: &Cli, args: &CompileArgs) -> u8 {
    let project = match read_project(out, cli) {
        Ok(project) => project,
        Err(code) => return code,
    };
    // Given paths compile a subset: the run then owns only those contracts'
    // files, and never removes other contracts' output.
    let subset = !args.paths.is_empty();
    let paths = if args.paths.is_empty() {
        project.contracts.clone()
    } else {
        args.paths.to_vec()
    };
    let targets: Vec<Target> = if args.targets.is_empty() {
        project.targets.clone()
    } else {
        args.targets
            .iter()
            .filter_map(|t| Target::from_name(t))
            .collect()
    };
    let dialects = if args.dialects.is_empty() {
        project.dialects.clone()
    } else {
        // The parser admits only known names.
        project::parse_dialects(args.dialects.iter().map(String::as_str)).unwrap_or_default()
    };
    let dir = args.dir.map_or(project.out.clone(), Path::to_path_buf);
    let dbt = match dbt_options(&project, args.dbt, &targets) {
        Ok(dbt) => dbt,
        Err(diagnostic) => return out.fail(*diagnostic),
    };
    let mut docs = crate::emit::docs::Options {
        templates: args
            .templates
            .map(Path::to_path_buf)
            .or_else(|| project.docs_templates.clone()),
        results: None,
    };
    if args.results.is_some() && !targets.contains(&Target::Docs) {
        return out.fail(
            Diagnostic::error(Code::InvalidValue, "`--results` is for the docs target")
                .with_help("add `--target docs`"),
        );
    }
    if let Some(dir) = docs
        .templates
        .as_ref()
        .filter(|_| targets.contains(&Target::Docs))
    {
        if !dir.is_dir() {
            let shown = load::display(dir);
            return out.fail(
                Diagnostic::error(Code::Io, format!("`{shown}` is not a directory"))
                    .with_path(shown)
                    .with_help(
                        "--templates (or `docs_templates` in datapact.yaml) names a directory of docs templates",
                    ),
            );
        }
    }

    let dbt_dir = dbt.as_ref().and_then(|(_, dir)| dir.clone());
    let context = context(cli, &project, args.paths);
    // Compiling for dbt, the contracts are also checked against the dbt
    // project, and each the dbt target would write nothing for is named.
    let mut layout = None;
    let mut dbt_checks = |ir: &crate::ir::Ir, origins: &Origins, sources: &mut Sources| {
        let Some(dir) = &dbt_dir else {
            return Ok(crate::dbt_project::unbound(ir, origins, None));
        };
        // An unreadable project is a usage error (exit 2), as a missing
        // dbt_project.yml is; contracts at odds with it are exit 1.
        let project = crate::dbt_project::read(dir, sources)?;
        let mut found = crate::dbt_project::check(&project, ir, origins, sources);
        found.extend(crate::dbt_project::unbound(ir, origins, Some(&project)));
        layout = Some(project.layout);
        Ok(found)
    };
    let after: Option<&mut After> = match dbt {
        Some(_) => Some(&mut dbt_checks),
        None => None,
    };
    let keep = if after.is_some() {
        Keep::Origins
    } else {
        Keep::Ir
    };
    let mut run = check_contracts(out, &paths, &context, "compile", keep, after);
    let (code, mut json) = (run.code, run.json.clone());
    if run.ir.is_none() {
        if let Some(doc) = json {
            print_json(&doc);
        }
        return code;
    }
    let mut dbt = dbt.map(|(options, _)| crate::emit::dbt::Options {
        max_query_bytes: args.max_query_bytes,
        ..options
    });
    // Generated files name each contract file relative to the project
    // root, so they are the same from any working directory.
    if let Some(ir) = run.ir.as_mut() {
        let root = project_root(&project);
        for ds in &mut ir.datasets {
            ds.source_path = project_relative(&ds.source_path, &root);
        }
    }
    if let (Some(options), Some(layout)) = (dbt.as_mut(), layout) {
        options.layout = layout;
    }
    let Some(ir) = &run.ir else {
        return code;
    };
    if let Some(given) = args.results {
        match results_health(out, &project, given, ir) {
            Ok(results) => docs.results = Some(results),
            Err(code) => return code,
        }
    }
    let dbt_project = dbt_dir;
    let manifest_in_project = dbt
        .as_ref()
        .map(|o| format!("{}{}", o.layout.models, output::MANIFEST));
    let targets = emit::Targets {
        sql: if targets.contains(&Target::Sql) {
            dialects.clone()
        } else {
            Vec::new()
        },
        dbt,
        dbt_project: dbt_project.is_some(),
        docs: targets.contains(&Target::Docs).then_some(docs),
        subset,
        max_query_bytes: args.max_query_bytes,
    };
    let emission = match emit::Emission::new(ir, &targets) {
        Ok(emission) => emission,
        Err(err) => return emit_failed(out, &err),
    };
    // The output directory first, then the dbt project; a tree without
    // files or scopes is left alone.
    let scopes = emission.scopes();
    let mut trees = vec![(emit::Tree::Out, dir.clone(), output::MANIFEST.to_string())];
    if let Some(project_dir) = &dbt_project {
        trees.push((
            emit::Tree::DbtProject,
            project_dir.clone(),
            manifest_in_project.clone().unwrap_or_default(),
        ));
    }
    // A tree the run owns nothing in (only dbt, into a dbt project) is
    // left alone.
    trees.retain(|(tree, ..)| scopes.iter().any(|(t, _)| t == tree));
    let destinations: Vec<output::Destination> = trees
        .iter()
        .map(|(tree, dir, manifest)| output::Destination {
            dir: dir.clone(),
            manifest: manifest.clone(),
            scopes: scopes
                .iter()
                .filter(|(t, _)| t == tree)
                .map(|(_, s)| s.clone())
                .collect(),
        })
        .collect();
    let render = |unit: usize| {
        emission.render(unit).map(|files| {
            files
                .into_iter()
                .map(|(tree, file)| {
                    let at = trees.iter().position(|(t, ..)| *t == tree).unwrap_or(0);
                    (at, file)
                })
                .collect()
        })
    };
    let mode = if args.check {
        output::Mode::Check
    } else {
        output::Mode::Write
    };
    // A compile of the same inputs whose files are all as the last one
    // left them changes nothing: it is not rendered again (crate::stamp).
    // Custom templates and results are read as the files render, so a
    // compile with either always renders.
    let stamp = project_root(&project).join(crate::stamp::PATH);
    let stampable = targets
        .docs
        .as_ref()
        .is_none_or(|d| d.templates.is_none() && d.results.is_none());
    let inputs = stampable.then(|| {
        let mut inputs = crate::stamp::Fingerprint::default();
        inputs.add(format!(
            "{targets:?}\n{destinations:?}\n{}",
            project.root.display()
        ));
        inputs.add(
            std::env::current_dir()
                .unwrap_or_default()
                .as_os_str()
                .as_encoded_bytes(),
        );
        for (_, file) in run.sources.iter() {
            inputs.add(&file.path).add(&file.text);
        }
        inputs.finish()
    });
    let unchanged = (inputs.as_deref()).and_then(|i| crate::stamp::holds(&stamp, i, &destinations));
    let writes = unchanged.is_none() && mode == output::Mode::Write;
    if writes {
        crate::stamp::remove(&stamp);
    }
    let outcome = match unchanged {
        Some(unchanged) => Ok(output::Outcome {
            written: output::Written {
                unchanged,
                ..output::Written::default()
            },
            drift: destinations
                .iter()
                .map(|_| output::Drift::default())
                .collect(),
            produced: Vec::new(),
        }),
        None => output::compile(
            &destinations,
            emission.units(),
            render,
            mode,
            &output::RealDisk,
        ),
    };
    if let Err(output::Failure::Render(err)) = &outcome {
        return emit_failed(out, err);
    }
    // Every unit rendered: the templates' warnings are complete.
    let warnings = emission.warnings();
    match json.as_mut() {
        Some(doc) => add_to_json(doc, &warnings),
        None if !warnings.is_empty() => {
            let summary = Summary {
                warnings: warnings.len(),
                ..Summary::default()
            };
            out.diagnostics(&warnings, &Sources::new(), summary);
        }
        None => {}
    }
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(output::Failure::Render(err)) => return emit_failed(out, &err),
        Err(output::Failure::Output(err)) => match &err.collision {
            Some(collision) => {
                let diagnostic =
                    collision_error(collision, &err_dir(&err, &destinations), &run.ids);
                let summary = Summary {
                    errors: 1,
                    ..Summary::default()
                };
                match json.as_mut() {
                    Some(doc) => {
                        let more: serde_json::Value = serde_json::from_str(
                            &diagnostic::render_json(&[diagnostic], &run.sources, summary),
                        )
                        .expect("render_json writes JSON");
                        merge_json(doc, &more);
                        print_json(doc);
                    }
                    None => {
                        out.diagnostics(&[diagnostic], &run.sources, summary);
                        out.status("compile failed: nothing was written");
                    }
                }
                return EXIT_CONTRACT_ERRORS;
            }
            None => return out.fail(output_error(&err)),
        },
    };
    let shown: Vec<String> = destinations.iter().map(|d| load::display(&d.dir)).collect();
    if args.check {
        let mut all = output::Drift::default();
        for (drift, shown) in outcome.drift.into_iter().zip(&shown) {
            let prefix = |list: Vec<String>| -> Vec<String> {
                list.into_iter().map(|p| format!("{shown}/{p}")).collect()
            };
            all.missing.extend(prefix(drift.missing));
            all.stale.extend(prefix(drift.stale));
            all.extra.extend(prefix(drift.extra));
        }
        report_drift(out, &shown.join(", "), &all, json.as_mut());
        return if all.is_empty() {
            EXIT_OK
        } else {
            EXIT_CONTRACT_ERRORS
        };
    }
    // `--check` writes nothing, not even a stamp.
    if let Some(inputs) = inputs.as_deref().filter(|_| writes && warnings.is_empty()) {
        crate::stamp::write(&stamp, inputs, &destinations, &outcome.produced);
    }
    let total = outcome.written;
    let shown = shown.join(" and ");
    if let Some(mut doc) = json {
        doc["written"] = serde_json::json!({
            "out": shown, "written": total.written, "unchanged": total.unchanged, "removed": total.removed
        });
        print_json(&doc);
    }
    out.status(&format!(
        "compile wrote {} to {shown} ({} unchanged, {} removed)",
        plural(total.written, "file"),
        total.unchanged,
        total.removed
    ));
    EXIT_OK
}

/// Add warnings found while compiling to the JSON document of the run.
fn add_to_json(doc: &mut serde_json::Value, warnings: &[Diagnostic]) {
    if warnings.is_empty() {
        return;
    }
    let extra: serde_json::Value = serde_json::from_str(&diagnostic::render_json(
        warnings,
        &Sources::new(),
        Summary::default(),
    ))
    .expect("render_json writes JSON");
    if let (Some(list), Some(more)) = (
        doc["diagnostics"].as_array_mut(),
        extra["diagnostics"].as_array(),
    ) {
        list.extend(more.iter().cloned());
    }
    let before = doc["summary"]["warnings"].as_u64().unwrap_or(0);
    doc["summary"]["warnings"] = serde_json::json!(before + warnings.len() as u64);
}

/// The dbt target's options and project directory, from flags over
/// datapact.yaml; `None` when dbt is not a target.
#[allow(clippy::type_complexity)]
fn dbt_options(
    project: &project::Project,
    args: &DbtArgs,
    targets: &[Target],
) -> Result<Option<(crate::emit::dbt::Options, Option<PathBuf>)>, Box<Diagnostic>> {
    if !targets.contains(&Target::Dbt) {
        return Ok(None);
    }
    // Without a dbt dialect the files are portable: every adapter.
    let dialect = (args.dbt_dialect.as_deref())
        .and_then(Dialect::from_name)
        .or(project.dbt.dialect);
    let enforce_contracts = args.dbt_enforce_contracts || project.dbt.enforce_contracts;
    if enforce_contracts && dialect.is_none() {
        return Err(Box::new(
            Diagnostic::error(
                Code::InvalidValue,
                "enforced model contracts need the dialect of your dbt adapter",
            )
            .with_help(
                "a model contract names each column's data type, which differs between adapters: pass --dbt-dialect (e.g. --dbt-dialect snowflake) or set `dbt_dialect:` in datapact.yaml",
            ),
        ));
    }
    let tests = match args.dbt_tests.as_deref() {
        Some(name) => project::DbtTests::CHOICES
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(project.dbt.tests, |(_, t)| *t),
        None => project.dbt.tests,
    };
    let options = crate::emit::dbt::Options {
        dialect,
        tests,
        enforce_contracts,
        layout: crate::emit::dbt::Layout::default(),
        max_query_bytes: None,
    };
    let dir = args
        .dbt_project
        .clone()
        .or_else(|| project.dbt.project.clone());
    if let Some(dir) = &dir {
        if !dir.join("dbt_project.yml").is_file() {
            let shown = load::display(dir);
            let problem = if dir.is_dir() {
                format!("`{shown}` is not a dbt project: it holds no dbt_project.yml")
            } else if dir.exists() {
                format!("`{shown}` is not a directory")
            } else {
                format!("`{shown}` does not exist")
            };
            return Err(Box::new(
                Diagnostic::error(Code::Io, problem)
                    .with_path(shown)
                    .with_help("--dbt-project (or dbt.project in datapact.yaml) names the directory holding dbt_project.yml"),
            ));
        }
    }
    Ok(Some((options, dir)))
}

/// Two contracts (or a contract and a file of the whole run, such as the
/// docs index) whose files would have one path: an error at the second
/// contract's id.
fn collision_error(
    collision: &output::Collision,
    dir: &Path,
    ids: &std::collections::BTreeMap<String, crate::source::Span>,
) -> Diagnostic {
    let shown = |path: &str| load::display(&dir.join(path));
    let (mut first, mut second) = (&collision.first, &collision.second);
    if second.contract.is_none() {
        // Name the contract first: it is what the user can rename.
        std::mem::swap(&mut first, &mut second);
    }
    let whose = |p: &output::GeneratedPath| match &p.contract {
        Some(id) => format!("of contract `{id}`"),
        None => "(a file of every run, not of one contract)".to_string(),
    };
    let how = if first.path == second.path {
        "has the same path as"
    } else if first.path.to_lowercase() == second.path.to_lowercase() {
        "differs only in case (one file on macOS and Windows) from"
    } else if second.path.starts_with(&first.path) {
        "needs a directory where there is"
    } else {
        "is a file where there needs to be a directory for"
    };
    let message = format!(
        "`{}` {} {how} `{}` {}",
        shown(&second.path),
        whose(second),
        shown(&first.path),
        whose(first)
    );
    let span = |p: &output::GeneratedPath| p.contract.as_ref().and_then(|id| ids.get(id)).copied();
    let (main, other) = match (span(second), span(first)) {
        (Some(s), o) => (Some(s), o),
        (None, o) => (o, None),
    };
    let mut d = Diagnostic::error(Code::PathCollision, message).with_help(
        "contracts' files are named after their ids; rename one of the contracts (its id)",
    );
    if let Some(span) = main {
        d = d.with_label(span, "its files would overwrite another's");
    }
    if let Some(span) = other {
        d = d.with_secondary(span, "the other contract");
    }
    if main.is_none() {
        d = d.with_path(shown(&second.path));
    }
    d
}

/// The destination directory a collision was found in.
fn err_dir(err: &output::OutputError, destinations: &[output::Destination]) -> PathBuf {
    err.destination
        .and_then(|d| destinations.get(d))
        .map(|d| d.dir.clone())
        .unwrap_or_default()
}

/// An emitter failed (a docs template, a dbt name clash): its diagnostic.
fn emit_failed(out: &mut Output, err: &emit::Error) -> u8 {
    match err.kind() {
        emit::ErrorKind::Template => {
            let summary = Summary {
                errors: 1,
                ..Summary::default()
            };
            out.diagnostics(
                std::slice::from_ref(err.diagnostic()),
                err.sources(),
                summary,
            );
            EXIT_USAGE
        }
        emit::ErrorKind::NameClash => out.fail(err.diagnostic().clone()),
    }
}

fn output_error(err: &output::OutputError) -> Diagnostic {
    let path = load::display(&err.path);
    Diagnostic::error(Code::Io, format!("`{path}` {}", err.message)).with_path(path)
}

/// Report what `--check` found; paths include their output directory.
fn report_drift(
    out: &mut Output,
    dir: &str,
    drift: &output::Drift,
    json: Option<&mut serde_json::Value>,
) {
    let groups = [
        ("missing", &drift.missing),
        ("stale", &drift.stale),
        ("extra", &drift.extra),
    ];
    match out.format {
        Format::Json => {
            let mut check = serde_json::json!({ "up_to_date": drift.is_empty(), "out": dir });
            for (name, list) in groups {
                check[name] = serde_json::json!(list);
            }
            let mut doc = json.map_or_else(|| serde_json::json!({}), |d| d.clone());
            doc["check"] = check;
            print_json(&doc);
        }
        Format::Github => {
            let mut stdout = std::io::stdout().lock();
            for (name, list) in groups {
                for path in list {
                    let _ = writeln!(
                        stdout,
                        "::error file={},title=datapact compile --check::{name}: {} (run `datapact compile`)",
                        diagnostic::escape_property(path),
                        diagnostic::escape_data(&crate::text::escape_line(path))
                    );
                }
            }
        }
        // `--format sarif` is refused for `compile` before this.
        Format::Human | Format::Markdown | Format::Junit | Format::Html | Format::Sarif => {
            for (name, list) in groups {
                for path in list {
                    out.status(&format!("{name}: {path}"));
                }
            }
        }
    }
    if out.format != Format::Json {
        if drift.is_empty() {
            out.status(&format!("compile --check ok: {dir} is up to date"));
        } else {
            out.status(&format!(
                "compile --check failed: {} missing, {} stale, {} extra in {dir}; run `datapact compile` to update",
                drift.missing.len(),
                drift.stale.len(),
                drift.extra.len()
            ));
        }
    }
}

fn diff(
    out: &mut Output,
    cli: &Cli,
    paths: &[PathBuf],
    base: Option<&str>,
    options: crate::diff::Options,
) -> u8 {
    let (old, new, io) = match (base, paths) {
        (Some(rev), paths) => {
            let paths = match contract_paths(out, cli, paths) {
                Ok((paths, _)) => paths,
                Err(code) => return code,
            };
            // A path deleted since the revision is no mistake: its contracts were removed.
            let (present, gone): (Vec<PathBuf>, Vec<PathBuf>) =
                paths.iter().cloned().partition(|p| p.exists());
            let (new, mut io) = load::load(&present);
            let (old, more) = match load::load_git(rev, &paths) {
                Ok(found) => found,
                Err(diagnostic) => return out.fail(*diagnostic),
            };
            io.extend(more);
            for path in gone {
                if load::load_git(rev, std::slice::from_ref(&path)).is_ok_and(|(s, _)| s.is_empty())
                {
                    io.push(load::io_error(
                        &path,
                        &format!("no such file or directory, here or at `{rev}`"),
                    ));
                }
            }
            (old, new, io)
        }
        (None, [old, new]) => {
            if old.is_dir() != new.is_dir() {
                return out.fail(
                    Diagnostic::error(Code::InvalidValue, "compare two files or two directories")
                        .with_help("`datapact diff OLD NEW` takes two files, or two directories of contracts"),
                );
            }
            let (old, mut io) = load::load(std::slice::from_ref(old));
            let (new, more) = load::load(std::slice::from_ref(new));
            io.extend(more);
            (old, new, io)
        }
        (None, _) => {
            return out.fail(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("diff takes two paths (OLD NEW), not {}", paths.len()),
                )
                .with_help("`datapact diff OLD NEW`, or `datapact diff --base REV [PATHS]` to compare with a git revision"),
            );
        }
    };
    if !io.is_empty() {
        let summary = Summary {
            errors: io.len(),
            ..Summary::default()
        };
        out.diagnostics(&io, &Sources::new(), summary);
        return EXIT_USAGE;
    }
    let checking = crate::Options {
        scope: crate::Scope::Selection,
        ir: true,
        origins: true,
        checked_files: None,
    };
    let checked_old = crate::check_with(&old, checking);
    let checked_new = crate::check_with(&new, checking);
    let (Some(old_ir), Some(new_ir)) = (&checked_old.ir, &checked_new.ir) else {
        return diff_errors(out, [(&checked_old, &old), (&checked_new, &new)]);
    };
    let report = crate::diff::diff(
        crate::diff::Set {
            ir: old_ir,
            origins: &checked_old.origins,
        },
        crate::diff::Set {
            ir: new_ir,
            origins: &checked_new.origins,
        },
        options,
    );
    let files = crate::diff::Files {
        old: &old,
        new: &new,
    };
    let text = match out.format {
        // `--format junit` and `html` are refused for `diff` before this.
        Format::Human | Format::Junit | Format::Html => crate::diff::human(&report, files),
        Format::Markdown => crate::diff::markdown(&report, files),
        Format::Github => crate::diff::github(&report, files),
        Format::Sarif => crate::diff::sarif(&report, files),
        Format::Json => {
            print_json(&crate::diff::json(&report, files));
            String::new()
        }
    };
    // SARIF is JSON: its strings are escaped as JSON, and must stay valid.
    let text = if out.format == Format::Sarif {
        text
    } else {
        crate::text::escape_lines(&text).into_owned()
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    if report.ok() {
        EXIT_OK
    } else {
        EXIT_CONTRACT_ERRORS
    }
}

/// Contracts that do not check cannot be compared: report their errors
/// (warnings are `validate`'s business), old files first.
fn diff_errors(out: &mut Output, sides: [(&crate::Checked, &Sources); 2]) -> u8 {
    let mut json: Option<serde_json::Value> = None;
    let mut markdown = String::new();
    let mut total = 0;
    let mut sarif: Vec<(Vec<Diagnostic>, &Sources)> = Vec::new();
    for (checked, sources) in sides {
        let errors: Vec<Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        total += errors.len();
        let summary = Summary {
            files: sources.len(),
            contracts: checked.contracts,
            errors: errors.len(),
            warnings: 0,
        };
        if out.format == Format::Sarif {
            sarif.push((errors, sources));
            continue;
        }
        if out.format == Format::Json {
            let doc: serde_json::Value =
                serde_json::from_str(&diagnostic::render_json(&errors, sources, summary))
                    .expect("render_json writes JSON");
            json = Some(match json {
                None => doc,
                Some(mut all) => {
                    merge_json(&mut all, &doc);
                    all
                }
            });
        } else {
            out.diagnostics(&errors, sources, summary);
        }
        if out.format == Format::Markdown {
            let plain = HumanOptions {
                color: false,
                width: 100,
            };
            for d in &errors {
                markdown.push_str(&diagnostic::render_human(d, sources, plain));
                markdown.push('\n');
            }
        }
    }
    if out.format == Format::Sarif {
        // One log for both sides.
        let sets: Vec<(&[Diagnostic], &Sources)> =
            sarif.iter().map(|(d, s)| (d.as_slice(), *s)).collect();
        let _ = std::io::stdout().write_all(crate::sarif::diagnostic_sets(&sets).as_bytes());
    }
    if out.format == Format::Markdown {
        // The pull-request comment says why there is no report.
        let longest = markdown
            .split(|c| c != '`')
            .map(str::len)
            .max()
            .unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        let _ = std::io::stdout().write_all(
            format!(
                "## datapact diff ❌\n\nContracts with errors cannot be compared ({}):\n\n{fence}text\n{}{fence}\n",
                plural(total, "error"),
                markdown.trim_end().to_string() + "\n"
            )
            .as_bytes(),
        );
    }
    match json {
        Some(doc) => print_json(&doc),
        None => out.status(&format!(
            "diff failed: contracts with errors cannot be compared ({})",
            plural(total, "error")
        )),
    }
    EXIT_CONTRACT_ERRORS
}

/// Append `more`'s diagnostics to `all` and add up their summaries.
fn merge_json(all: &mut serde_json::Value, more: &serde_json::Value) {
    if let (Some(a), Some(b)) = (
        all["diagnostics"].as_array_mut(),
        more["diagnostics"].as_array(),
    ) {
        a.extend(b.iter().cloned());
    }
    if let Some(summary) = more["summary"].as_object() {
        for (key, value) in summary {
            if let (Some(a), Some(b)) = (all["summary"][key].as_u64(), value.as_u64()) {
                all["summary"][key] = serde_json::json!(a + b);
            }
        }
    }
}

fn convert(
    out: &mut Output,
    cli: &Cli,
    paths: &[PathBuf],
    to: &str,
    dir: Option<&Path>,
    force: bool,
) -> u8 {
    let (paths, context) = match contract_paths(out, cli, paths) {
        Ok(paths) => paths,
        Err(code) => return code,
    };
    let to = crate::emit::convert::To::CHOICES
        .iter()
        .find(|(n, _)| *n == to)
        .map_or(crate::emit::convert::To::Native, |(_, t)| *t);
    let Run { code, ir, json, .. } =
        check_contracts(out, &paths, &context, "convert", Keep::Ir, None);
    if let Some(doc) = &json {
        if ir.is_none() || dir.is_some() {
            print_json(doc);
        }
    }
    let Some(ir) = ir else {
        return code;
    };
    let Some(dir) = dir else {
        return match ir.datasets.as_slice() {
            [ds] => {
                let _ =
                    std::io::stdout().write_all(crate::emit::convert::convert(ds, to).as_bytes());
                EXIT_OK
            }
            many => out.fail(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("{} contracts to convert, and no --out", many.len()),
                )
                .with_help("pass --out DIR to write one file per contract"),
            ),
        };
    };
    let files: Vec<(PathBuf, String)> = ir
        .datasets
        .iter()
        .map(|ds| {
            (
                dir.join(to.file_name(ds)),
                crate::emit::convert::convert(ds, to),
            )
        })
        .collect();
    if let Err(code) = write_new(out, dir, &files, force) {
        return code;
    }
    out.status(&format!(
        "convert wrote {} to {}",
        plural(files.len(), "file"),
        load::display(dir)
    ));
    EXIT_OK
}

struct ImportArgs<'a> {
    paths: &'a [PathBuf],
    connection: Option<&'a str>,
    dbt_manifest: Option<&'a Path>,
    dialect: Option<Dialect>,
    request: crate::import::catalog::Request,
    profile: bool,
    to: &'a str,
    dir: Option<&'a Path>,
    force: bool,
}

/// The DDL files under `paths`: files as given, `*.sql` of directories
/// (sorted).
fn ddl_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(path)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("sql")))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    files
}

fn import(out: &mut Output, cli: &Cli, args: &ImportArgs) -> u8 {
    use crate::import;
    let given = [
        !args.paths.is_empty(),
        args.connection.is_some(),
        args.dbt_manifest.is_some(),
    ];
    let sources_help = "pass DDL files (`datapact import ddl/schema.sql --dialect postgres`), \
                        --connection (`datapact import --connection warehouse --schema analytics`), \
                        or --dbt-manifest (`datapact import --dbt-manifest target/manifest.json`)";
    match given.iter().filter(|g| **g).count() {
        0 => {
            return out.fail(
                Diagnostic::error(Code::InvalidValue, "import needs a source to read")
                    .with_help(sources_help),
            );
        }
        1 => {}
        _ => {
            return out.fail(
                Diagnostic::error(Code::InvalidValue, "import reads one source at a time")
                    .with_help(sources_help),
            );
        }
    }
    if out.format == Format::Json && args.dir.is_none() {
        return out.fail(
            Diagnostic::error(
                Code::InvalidValue,
                "--format json prints the notes on standard output: the contracts need --out",
            )
            .with_help("pass --out DIR"),
        );
    }
    if args.profile && args.connection.is_none() {
        return out.fail(
            Diagnostic::error(
                Code::InvalidValue,
                "--profile scans data: it needs --connection",
            )
            .with_help(
                "`datapact import --connection warehouse --table analytics.orders --profile`",
            ),
        );
    }
    let mut inputs = Sources::new();
    // A connection's session stays open for --profile.
    let mut engine = None;
    let (drafts, mut skipped) = if !args.paths.is_empty() {
        match import_ddl(out, args, &mut inputs) {
            Ok(read) => read,
            Err(code) => return code,
        }
    } else if let Some(manifest) = args.dbt_manifest {
        match import_manifest(out, manifest) {
            Ok(read) => read,
            Err(code) => return code,
        }
    } else {
        let project = match read_project(out, cli) {
            Ok(project) => project,
            Err(code) => return code,
        };
        let connection = match resolve_connection(&project, args.connection, args.dialect) {
            Ok(c) => c,
            Err((message, help)) => {
                return out.fail(Diagnostic::error(Code::InvalidValue, message).with_help(help));
            }
        };
        let opened = import_catalog(&connection, &project_root(&project), args);
        match opened {
            Ok((drafts, session)) => {
                engine = Some((connection, session));
                drafts
            }
            Err(failure) => {
                return out.fail(connection_failed(&connection, &failure));
            }
        }
    };
    // --schema and --table select from every source.
    let request = &args.request;
    let drafts: Vec<import::Draft> = drafts
        .into_iter()
        .filter(|d| {
            let l = &d.dataset.location;
            let schema = l.schema.as_deref().unwrap_or_default();
            request.wants(schema, &l.name)
                || d.dataset
                    .dbt
                    .as_ref()
                    .is_some_and(|n| request.wants(schema, &n.name))
        })
        .collect();
    // Contracts already in the output folder: references to their tables
    // are kept, and they are checked with the drafts.
    let (known, existing) = match args.dir.filter(|d| d.is_dir()) {
        Some(dir) => existing_contracts(dir),
        None => (Vec::new(), Vec::new()),
    };
    let (mut drafts, unresolved) = import::finish(drafts, &known);
    skipped.extend(unresolved);
    let to = crate::emit::convert::To::CHOICES
        .iter()
        .find(|(n, _)| *n == args.to)
        .map_or(crate::emit::convert::To::Native, |(_, t)| *t);
    let base = args.dir.unwrap_or(Path::new(""));
    if drafts.is_empty() {
        let why = if !args.paths.is_empty() && inputs.is_empty() {
            "no *.sql files under the paths given"
        } else {
            "the source holds no table (or none that --schema and --table select)"
        };
        return out
            .fail(Diagnostic::error(Code::NoContracts, "no tables to import").with_help(why));
    }
    // Refuse to overwrite before scanning a warehouse.
    if let (Some(dir), false) = (args.dir, args.force) {
        let paths: Vec<PathBuf> = drafts
            .iter()
            .map(|d| dir.join(to.file_name(&d.dataset)))
            .collect();
        if let Err(code) = refuse_existing(out, &paths) {
            return code;
        }
    }
    if let (true, Some((connection, session))) = (args.profile, engine.as_mut()) {
        let profiled = import_profile(connection, session, &mut drafts, &mut skipped);
        match profiled {
            Ok(n) => out.status(&format!(
                "profiled {} with {n} {} (one scan each)",
                plural(n, "table"),
                if n == 1 { "query" } else { "queries" },
            )),
            Err(failure) => return out.fail(connection_failed(connection, &failure)),
        }
    }
    // In the order of the files read, then the rest as found.
    skipped.sort_by_key(|s| {
        s.span
            .as_ref()
            .map_or((1, String::new(), 0), |(path, range)| {
                (0, path.clone(), range.start)
            })
    });
    let (drafts, files) = settle(drafts, to, base, &existing, &mut skipped);
    let notes: Vec<Diagnostic> = skipped
        .iter()
        .map(|s| {
            let d = Diagnostic::warning(Code::NotImported, format!("not imported: {}", s.what));
            let file = s.span.as_ref().and_then(|(path, range)| {
                inputs
                    .iter()
                    .find(|(_, f)| f.path == *path)
                    .map(|(id, _)| crate::source::Span::new(id, range.start, range.end))
            });
            match file {
                Some(span) => d.with_label(span, "here"),
                None => d.with_path(s.place.clone()),
            }
        })
        .collect();
    let summary = Summary {
        files: inputs.len(),
        contracts: drafts.len(),
        errors: 0,
        warnings: notes.len(),
    };
    out.diagnostics(&notes, &inputs, summary);
    let Some(dir) = args.dir else {
        return match files.as_slice() {
            [(_, text)] => {
                let _ = std::io::stdout().write_all(text.as_bytes());
                EXIT_OK
            }
            [] => out.fail(Diagnostic::error(
                Code::NoContracts,
                "no table's draft could be written",
            )),
            many => out.fail(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("{} contracts imported, and no --out", many.len()),
                )
                .with_help("pass --out DIR to write one file per contract, or --table to pick one"),
            ),
        };
    };
    if let Err(code) = write_new(out, dir, &files, args.force) {
        return code;
    }
    out.status(&format!(
        "import wrote {} to {} ({})",
        plural(files.len(), "contract"),
        load::display(dir),
        plural(notes.len(), "note"),
    ));
    EXIT_OK
}

/// A failed connection or catalog query, as one line.
fn connection_failed(
    connection: &crate::run::Connection,
    failure: &crate::run::engine::Failure,
) -> Diagnostic {
    let first = failure.message.lines().next().unwrap_or_default();
    Diagnostic::error(
        Code::Io,
        format!("import from {} failed: {first}", connection.display),
    )
    .with_path(connection.display.clone())
}

/// The drafts of the DDL files under `args.paths`, each file added to
/// `inputs` (the notes point into it).
fn import_ddl(out: &mut Output, args: &ImportArgs, inputs: &mut Sources) -> Result<Drafts, u8> {
    let Some(dialect) = args.dialect else {
        let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
        return Err(out.fail(
            Diagnostic::error(
                Code::InvalidValue,
                "which SQL dialect are the DDL files in?",
            )
            .with_help(format!("pass --dialect: {}", names.join(", "))),
        ));
    };
    let mut drafts = Vec::new();
    let mut skipped = Vec::new();
    for path in ddl_files(args.paths) {
        let shown = load::display(&path);
        let text = match load::read_text(&path, load::MAX_FILE_BYTES, "a DDL file") {
            Ok(text) => text,
            Err(why) => {
                return Err(out.fail(
                    Diagnostic::error(Code::Io, format!("cannot read `{shown}`: {why}"))
                        .with_path(shown),
                ));
            }
        };
        let read = crate::import::ddl::read(&shown, &text, dialect);
        inputs.add(shown, text);
        drafts.extend(read.drafts);
        skipped.extend(read.skipped);
    }
    Ok((drafts, skipped))
}

/// The drafts of a dbt manifest.
fn import_manifest(out: &mut Output, manifest: &Path) -> Result<Drafts, u8> {
    let shown = load::display(manifest);
    let text = match load::read_text(manifest, load::MAX_MANIFEST_BYTES, "a dbt manifest") {
        Ok(text) => text,
        Err(why) => {
            return Err(out.fail(
                Diagnostic::error(Code::Io, format!("cannot read `{shown}`: {why}"))
                    .with_path(shown),
            ));
        }
    };
    match crate::import::dbt::read(&shown, &text) {
        Ok(read) => {
            out.status(&format!(
                "{shown}: {}, {} of them as rules",
                plural(read.tests, "test"),
                read.rules
            ));
            Ok((read.drafts, read.skipped))
        }
        Err(why) => Err(out.fail(
            Diagnostic::error(
                Code::InvalidValue,
                format!("`{shown}` is not a dbt manifest: {why}"),
            )
            .with_path(shown)
            .with_help("run `dbt parse` (or any dbt command) to write target/manifest.json"),
        )),
    }
}

/// A contract file already in the output folder: its path, text and the
/// contracts it holds.
struct Existing {
    path: String,
    text: String,
    contracts: Vec<String>,
}

/// The contracts under `dir`, when they validate: the tables references
/// may name, and their files (checked with the drafts).
fn existing_contracts(dir: &Path) -> (Vec<crate::import::Table>, Vec<Existing>) {
    let (sources, _) = load::load(&[dir.to_path_buf()]);
    let Some(ir) = crate::check(&sources).ir else {
        return (Vec::new(), Vec::new());
    };
    let tables = ir.datasets.iter().map(crate::import::Table::of).collect();
    let files = sources
        .iter()
        .map(|(_, file)| Existing {
            path: file.path.clone(),
            text: file.text.clone(),
            contracts: ir
                .datasets
                .iter()
                .filter(|d| d.source_path == file.path)
                .map(|d| d.contract.clone())
                .collect(),
        })
        .collect();
    (tables, files)
}

/// Refuse (naming them) files that exist, before any work that takes long.
fn refuse_existing(out: &mut Output, paths: &[PathBuf]) -> Result<(), u8> {
    let existing: Vec<String> = paths
        .iter()
        .filter(|p| p.exists())
        .map(|p| load::display(p))
        .collect();
    if existing.is_empty() {
        return Ok(());
    }
    Err(out.fail(
        Diagnostic::error(Code::Io, format!("not overwriting {}", listed(&existing)))
            .with_help("pass --force to overwrite"),
    ))
}

/// Up to five names, then how many more.
fn listed(names: &[String]) -> String {
    match names.len() {
        0..=5 => names.join(", "),
        n => format!("{}, and {} more", names[..5].join(", "), n - 5),
    }
}

/// The drafts written as `to`, each validated as written: a rule that does
/// not validate (a bound a type cannot hold, a name too long) is left out,
/// and a draft that still does not validate too, each with a note; until
/// every draft validates. (Settled in the native form, whose every rule is
/// on its own lines; then written as `to`.)
fn settle(
    mut drafts: Vec<crate::import::Draft>,
    to: crate::emit::convert::To,
    base: &Path,
    existing: &[Existing],
    skipped: &mut Vec<crate::import::Skipped>,
) -> (Vec<crate::import::Draft>, Vec<(PathBuf, String)>) {
    use crate::emit::convert::{self, To};
    loop {
        let texts: Vec<String> = drafts
            .iter()
            .map(|d| convert::to_native_noted(&d.dataset, &d.notes))
            .collect();
        let mut sources = Sources::new();
        let ids: Vec<crate::source::FileId> = drafts
            .iter()
            .zip(&texts)
            .map(|(d, text)| sources.add(format!("{}.yaml", d.dataset.contract), text.clone()))
            .collect();
        // The output folder's other contracts, which references may name.
        for file in existing.iter().filter(|f| {
            !f.contracts
                .iter()
                .any(|c| drafts.iter().any(|d| &d.dataset.contract == c))
        }) {
            sources.add(file.path.clone(), file.text.clone());
        }
        let checked = crate::check(&sources);
        let errors: Vec<&Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == diagnostic::Severity::Error)
            .collect();
        if errors.is_empty() {
            let files = drafts
                .iter()
                .zip(texts)
                .map(|(d, native)| {
                    let text = match to {
                        To::Native => native,
                        To::Odcs => convert::to_odcs_draft(&d.dataset, &d.notes),
                    };
                    (base.join(to.file_name(&d.dataset)), text)
                })
                .collect();
            return (drafts, files);
        }
        let mut dropped = vec![false; drafts.len()];
        let mut progress = false;
        for error in errors {
            let at = error.primary.as_ref().map(|l| l.span);
            let Some(i) = at.and_then(|span| ids.iter().position(|id| *id == span.file)) else {
                // About a contract already written, or no file: not a draft's.
                continue;
            };
            let span = at.expect("located above");
            let line = sources.get(span.file).line_col(span.start).line;
            let draft = &mut drafts[i];
            let message = crate::text::escape_line(&error.message).into_owned();
            let place = draft.dataset.contract.clone();
            let taken = take_rules_at(draft, &texts[i], line);
            if !taken.is_empty() {
                progress = true;
                let what = format!(
                    "{} `{}`, which would not validate: {message}",
                    if taken.len() == 1 {
                        "the rule"
                    } else {
                        "the rules"
                    },
                    taken.join("`, `")
                );
                draft.notes.header.push(format!("not imported: {what}"));
                skipped.push(crate::import::Skipped {
                    place,
                    span: None,
                    what,
                });
            } else if !dropped[i] {
                dropped[i] = true;
                progress = true;
                skipped.push(crate::import::Skipped {
                    place,
                    span: None,
                    what: format!("the table, whose draft would not validate: {message}"),
                });
            }
        }
        if !progress {
            // Unreachable in practice; never loop.
            dropped.iter_mut().for_each(|d| *d = true);
        }
        let mut keep = dropped.iter().map(|d| !d);
        drafts.retain(|_| keep.next().unwrap_or(true));
    }
}

/// Take out of `draft` the rules written at `line` (from 1) of its native
/// text: the rule of that key on its column, a table check, `row_count`
/// or `freshness`; else, on a column's other lines, every rule of the
/// column. Returns their names.
fn take_rules_at(draft: &mut crate::import::Draft, text: &str, line: usize) -> Vec<String> {
    use crate::ir::CheckKind;
    let lines: Vec<&str> = text.lines().collect();
    let Some(here) = lines.get(line.saturating_sub(1)) else {
        return Vec::new();
    };
    let indent = |l: &str| l.len() - l.trim_start().len();
    let key = |l: &str| -> String {
        let l = l.trim_start().trim_start_matches("- ");
        l.split(':').next().unwrap_or_default().trim().to_string()
    };
    let value = |l: &str| -> String {
        let v = l.split_once(':').map(|(_, v)| v).unwrap_or_default();
        let v = v.split("  # ").next().unwrap_or_default().trim();
        v.trim_matches('"').to_string()
    };
    // The top-level block the line is in, and the `- name:` entry.
    let top = lines[..line]
        .iter()
        .rev()
        .find(|l| indent(l) == 0 && !l.starts_with('#') && !l.starts_with(' '))
        .map(|l| key(l))
        .unwrap_or_default();
    let entry = lines[..line]
        .iter()
        .rev()
        .find(|l| l.trim_start().starts_with("- name:") && indent(l) <= indent(here))
        .map(|l| value(l));
    let rule = key(here);
    let on_rule = |column: &str| {
        draft
            .dataset
            .checks
            .iter()
            .any(|c| c.column.as_deref() == Some(column) && c.kind.rule() == rule)
    };
    let rule_here = entry.as_deref().is_some_and(on_rule);
    let checks = &mut draft.dataset.checks;
    let mut taken = Vec::new();
    let mut take = |pick: &dyn Fn(&crate::ir::Check) -> bool| {
        checks.retain(|c| {
            let out = pick(c);
            if out {
                taken.push(c.name.clone());
            }
            !out
        });
    };
    match (top.as_str(), entry) {
        ("row_count", _) => take(&|c| {
            matches!(
                c.kind,
                CheckKind::RowCount { .. } | CheckKind::RowCountChange { .. }
            )
        }),
        ("freshness", _) => take(&|c| matches!(c.kind, CheckKind::Freshness { .. })),
        ("checks", Some(name)) => take(&|c| c.column.is_none() && c.name == name),
        ("columns", Some(column)) => {
            if rule_here {
                take(&|c| c.column.as_deref() == Some(column.as_str()) && c.kind.rule() == rule);
            } else {
                take(&|c| c.column.as_deref() == Some(column.as_str()));
            }
            if !draft.dataset.checks.iter().any(|c| {
                c.column.as_deref() == Some(column.as_str()) && c.kind == CheckKind::Required
            }) {
                if let Some(c) = draft.column_mut(&column) {
                    c.required = false;
                }
            }
        }
        _ => {}
    }
    taken
}

/// The drafts of a connection's catalog, and the open engine and session
/// (for `--profile`).
fn import_catalog(
    connection: &crate::run::Connection,
    root: &Path,
    args: &ImportArgs,
) -> Result<(Drafts, Opened), crate::run::engine::Failure> {
    use crate::run::engine::{self, Engine};
    let watch = crate::run::Watch::new();
    let engine = Engine::open(connection, &engine::driver_dirs(root), watch, 1)?;
    let mut session = engine.session(1)?;
    let name = match connection.dialect {
        Dialect::Duckdb => "DuckDB",
        Dialect::Postgres => "PostgreSQL",
        other => other.name(),
    };
    let (drafts, skipped) = crate::import::catalog::read(
        &mut session,
        connection.dialect,
        name,
        &args.request,
        Some(IMPORT_TIMEOUT),
    )?;
    Ok(((drafts, skipped), (engine, session)))
}

/// What a source of `import` gives: drafts, and what no draft says.
type Drafts = (Vec<crate::import::Draft>, Vec<crate::import::Skipped>);

/// An open engine and a session on it.
type Opened = (crate::run::engine::Engine, crate::run::engine::Session);

/// The longest a catalog or profile query of `import` may run.
const IMPORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// Profile each draft's table (one query each); a table that cannot be
/// profiled keeps its catalog draft, with a note. Returns the number of
/// queries.
fn import_profile(
    connection: &crate::run::Connection,
    (_, session): &mut Opened,
    drafts: &mut [crate::import::Draft],
    skipped: &mut Vec<crate::import::Skipped>,
) -> Result<usize, crate::run::engine::Failure> {
    let mut queries = 0;
    for draft in drafts {
        queries += 1;
        let profiled = crate::import::profile::profile(
            session,
            connection.dialect,
            draft,
            Some(IMPORT_TIMEOUT),
        );
        let Err(failure) = profiled else {
            continue;
        };
        if failure.kind == crate::run::engine::FailureKind::Interrupted {
            return Err(failure);
        }
        let first = failure
            .message
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        draft.notes.header.push(format!("not profiled: {first}"));
        skipped.push(crate::import::Skipped {
            place: draft.dataset.contract.clone(),
            span: None,
            what: format!("a profile of the table: {first}"),
        });
    }
    Ok(queries)
}

fn write_schema(out: &mut Output, file: Option<&Path>) -> u8 {
    let text = schema::json_schema();
    match file {
        None => {
            let _ = std::io::stdout().write_all(text.as_bytes());
            EXIT_OK
        }
        Some(path) => match write_atomic(path, &text) {
            Ok(()) => EXIT_OK,
            Err(err) => out.fail(write_error(path, &err)),
        },
    }
}

/// The example contract `datapact init` writes.
pub const EXAMPLE_CONTRACT: &str = include_str!("../templates/init/example.yaml");

fn init(out: &mut Output, dir: &Path, force: bool) -> u8 {
    let schema = schema::json_schema();
    // In a dbt project, the example binds no model: a name it does not
    // have (or one it has, for other data) would break `dbt parse`.
    let dbt = dir.join("dbt_project.yml").is_file();
    let example = if dbt {
        EXAMPLE_CONTRACT.replace(EXAMPLE_DBT_BINDING, "")
    } else {
        EXAMPLE_CONTRACT.to_string()
    };
    let files = [
        (dir.join(project::FILE_NAME), project::TEMPLATE),
        (dir.join("datapact.schema.json"), schema.as_str()),
        (dir.join("contracts").join("example.yaml"), example.as_str()),
    ];
    let files = files.map(|(path, text)| (path, text.to_string()));
    if let Err(code) = write_new(out, dir, &files, force) {
        return code;
    }
    for (path, _) in &files {
        out.status(&format!("created {}", load::display(path)));
    }
    if dbt {
        out.status(
            "this is a dbt project (dbt_project.yml): bind a contract to a model with `dataset: {dbt: {model: <name>}}`, and write its tests here with `targets: [sql, dbt]` and `dbt_project: .` in datapact.yaml",
        );
    }
    out.status("next: edit contracts/example.yaml, then run `datapact validate`");
    EXIT_OK
}

/// The example contract's dbt binding, left out in a dbt project.
const EXAMPLE_DBT_BINDING: &str = "  dbt: {model: orders}\n";

/// Write files below `base` that must not replace existing ones unless
/// `force`: refuse (naming every existing one) before writing any. A folder
/// between `base` and a file that is a link (a committed `contracts` link)
/// is refused too: the files go below `base`, nowhere else.
fn write_new(
    out: &mut Output,
    base: &Path,
    files: &[(PathBuf, String)],
    force: bool,
) -> Result<(), u8> {
    for (path, _) in files {
        let folders = path.ancestors().skip(1).take_while(|a| *a != base);
        for folder in folders {
            if std::fs::symlink_metadata(folder).is_ok_and(|m| !m.is_dir()) {
                let shown = load::display(folder);
                return Err(out.fail(
                    Diagnostic::error(
                        Code::Io,
                        format!("not writing through `{shown}`, which is not a folder but a link or a file"),
                    )
                    .with_path(shown)
                    .with_help(format!(
                        "datapact writes only below `{}`; replace the link with a folder",
                        load::display(base)
                    )),
                ));
            }
        }
    }
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.exists())
        .map(|(p, _)| load::display(p))
        .collect();
    if !existing.is_empty() && !force {
        return Err(out.fail(
            Diagnostic::error(Code::Io, format!("not overwriting {}", listed(&existing)))
                .with_help("pass --force to overwrite"),
        ));
    }
    for (path, text) in files {
        if let Err(err) = write_atomic(path, text) {
            return Err(out.fail(write_error(path, &err)));
        }
    }
    Ok(())
}

fn write_error(path: &Path, err: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::Io,
        format!("cannot write `{}`: {err}", load::display(path)),
    )
    .with_path(load::display(path))
}

/// The time to take for now: `DATAPACT_NOW` (RFC 3339), for replays and
/// tests; `None`: the system clock.
fn clock(out: &mut Output) -> Result<Option<jiff::Timestamp>, u8> {
    let Some(text) = std::env::var_os("DATAPACT_NOW") else {
        return Ok(None);
    };
    let text = text.to_string_lossy();
    text.parse::<jiff::Timestamp>().map(Some).map_err(|_| {
        out.fail(
            Diagnostic::error(
                Code::InvalidValue,
                format!(
                    "DATAPACT_NOW is not a time: `{}`",
                    crate::text::escape_line(&text)
                ),
            )
            .with_help("write an RFC 3339 time, e.g. `2026-12-05T06:00:00Z`, or unset it"),
        )
    })
}

struct RunArgs<'a> {
    paths: &'a [PathBuf],
    connection: Option<&'a str>,
    dialect: Option<&'a str>,
    fail_on: FailOn,
    threads: Option<u32>,
    timeout: &'a str,
    store: Option<&'a str>,
    no_store: bool,
    samples: u64,
    max_query_bytes: Option<usize>,
}

/// The project root: the project file's folder, else the working directory.
/// `path`, as the user named a contract file, relative to the project
/// `root` with `/` between its parts; as given when it is outside the root
/// or cannot be resolved.
fn project_relative(path: &str, root: &Path) -> String {
    let (Ok(file), Ok(root)) = (std::fs::canonicalize(path), std::fs::canonicalize(root)) else {
        return path.to_string();
    };
    match file.strip_prefix(&root) {
        Ok(relative) => relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.to_string(),
    }
}

fn project_root(project: &project::Project) -> PathBuf {
    if project.root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        project.root.clone()
    }
}

/// The results store: `given` (`--store`, `--results`; a relative file is
/// from the working directory), else `store` of datapact.yaml (from the
/// project root). Either may name a connection of datapact.yaml; a text
/// that is not a URL is a DuckDB file. `None`: no store.
fn store_connection(
    project: &project::Project,
    given: Option<&str>,
) -> Option<Result<crate::run::Connection, String>> {
    use crate::run::Connection;
    let (text, base) = match given {
        Some(text) => (text, PathBuf::new()),
        None => (project.store.as_deref()?, project_root(project)),
    };
    let env = |name: &str| std::env::var(name).ok();
    if let Some(entry) = project.connections.get(text) {
        return Some(Connection::parse(
            &entry.url,
            entry.settings.clone(),
            &project_root(project),
            &env,
        ));
    }
    // `scheme:…` is a URL (an unknown scheme is refused showing only the
    // scheme: the rest may hold a password); a drive letter is not one.
    let scheme = text.split_once(':').is_some_and(|(s, _)| {
        s.len() > 1 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '+')
    });
    if scheme {
        return Some(Connection::parse(text, Default::default(), &base, &env));
    }
    // A key=value connection string is not a file name (and is not shown).
    if text.contains('=') {
        return Some(Err(
            "the store is neither a file path nor a URL: give a DuckDB file \
             (`results.duckdb`), a `postgresql://` URL, or a connection named in datapact.yaml"
                .into(),
        ));
    }
    let url = format!("duckdb:{text}");
    Some(Connection::parse(&url, Default::default(), &base, &env))
}

/// The results store of `given` or datapact.yaml: a DuckDB file or a
/// PostgreSQL database (checked before anything runs).
fn store_of(
    project: &project::Project,
    given: Option<&str>,
) -> Option<Result<crate::run::Connection, String>> {
    use crate::run::connection::Target;
    store_connection(project, given).map(|parsed| {
        parsed.and_then(|c| match c.target {
            Target::Duckdb { .. } | Target::Postgres { .. } => Ok(c),
            Target::Adbc { .. } => Err(format!(
                "a results store is a DuckDB file or a PostgreSQL database, not `{}`",
                c.display
            )),
        })
    })
}

/// A store that could not be used: exit 2.
fn store_failure(out: &mut Output, message: &str) -> u8 {
    out.fail(
        Diagnostic::error(Code::Connection, format!("store: {message}"))
            .with_help("`--store` takes a DuckDB file, a `postgresql://` URL, or a connection named in datapact.yaml; see docs/run.md"),
    )
}

/// No baselines: a store without over-time checks reads none.
static EMPTY_BASELINES: crate::run::Baselines = crate::run::Baselines::new();

/// `datapact run`.
/// The connection `--connection` names (a connection of datapact.yaml,
/// else a URL), else the project's default, else an in-memory DuckDB;
/// `Err` holds the message and a help.
fn resolve_connection(
    project: &project::Project,
    connection: Option<&str>,
    dialect: Option<Dialect>,
) -> Result<crate::run::Connection, (String, String)> {
    use crate::run::Connection;
    let root = project_root(project);
    let named = connection
        .or(project.default_connection.as_deref())
        .and_then(|name| project.connections.get(name).map(|entry| (name, entry)));
    // A bare word is a connection's name, not a URL.
    if let (None, Some(name)) = (named, connection) {
        let word = !name.contains(':')
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if word {
            let help = if project.connections.is_empty() {
                "datapact.yaml names no connections: add one under `connections`, or pass a URL \
                 (`duckdb:PATH`, `postgresql://…`)"
                    .to_string()
            } else {
                let names: Vec<&str> = project.connections.keys().map(String::as_str).collect();
                format!("the connections of datapact.yaml are: {}", names.join(", "))
            };
            return Err((format!("no connection named `{name}`"), help));
        }
    }
    let env = |name: &str| std::env::var(name).ok();
    let parsed = match (named, connection) {
        (Some((_, entry)), _) => {
            let mut settings = entry.settings.clone();
            if dialect.is_some() {
                settings.dialect = dialect;
            }
            Connection::parse(&entry.url, settings, &root, &env)
        }
        (None, Some(url)) => {
            let settings = crate::run::connection::Settings {
                dialect,
                ..Default::default()
            };
            // Relative paths of a URL given here are from the working directory.
            Connection::parse(url, settings, Path::new(""), &env)
        }
        (None, None) => Ok(Connection::embedded()),
    };
    parsed.map_err(|message| {
        let help = if project.connections.is_empty() {
            "pass a URL, or name a connection of `connections` in datapact.yaml".to_string()
        } else {
            let names: Vec<&str> = project.connections.keys().map(String::as_str).collect();
            format!("the connections of datapact.yaml are: {}", names.join(", "))
        };
        (message, help)
    })
}

fn run_checks(out: &mut Output, cli: &Cli, args: &RunArgs) -> u8 {
    use crate::run;
    let started = std::time::Instant::now();
    let started_at = jiff::Timestamp::now()
        .round(jiff::Unit::Millisecond)
        .map_or_else(|_| String::new(), |t| t.to_string());
    let timeout = match run::parse_duration(args.timeout) {
        Ok(t) => t,
        Err(message) => {
            return out.fail(
                Diagnostic::error(Code::InvalidValue, message)
                    .with_help("`--timeout` takes e.g. `30s`, `10m` or `1h`"),
            );
        }
    };
    let clock = match clock(out) {
        Ok(clock) => clock,
        Err(code) => return code,
    };
    let project = match read_project(out, cli) {
        Ok(project) => project,
        Err(code) => return code,
    };
    let root = project_root(&project);
    let store = match store_of(&project, args.store) {
        Some(Ok(store)) => Some(store),
        Some(Err(message)) => return store_failure(out, &message),
        None => None,
    };
    let dialect = args.dialect.and_then(Dialect::from_name);
    let connection = match resolve_connection(&project, args.connection, dialect) {
        Ok(c) => c,
        Err((message, help)) => {
            return run_failure(out, "", &started_at, started, &message, &help);
        }
    };
    let paths = if args.paths.is_empty() {
        project.contracts.clone()
    } else {
        args.paths.to_vec()
    };
    let Run {
        code,
        ir,
        origins,
        sources,
        json,
        ..
    } = check_contracts(
        out,
        &paths,
        &context(cli, &project, args.paths),
        RUN_VERB,
        // The origins locate the results.
        Keep::Origins,
        None,
    );
    let Some(ir) = ir else {
        if let Some(doc) = json {
            print_json(&doc);
        }
        // Contracts that do not validate cannot be run: a configuration error.
        let _ = code;
        return EXIT_USAGE;
    };
    let watch = run::Watch::new();
    {
        let watch = watch.clone();
        // Ctrl-C cancels the running queries; a second one exits at once
        // (a connection attempt cannot be cancelled).
        let _ = ctrlc::set_handler(move || {
            if watch.interrupted() {
                std::process::exit(130);
            }
            watch.interrupt();
        });
    }
    let progress: Option<fn(usize, usize)> = (out.format == Format::Human
        && std::io::stderr().is_terminal())
    .then_some(|done: usize, total: usize| {
        let _ = write!(
            std::io::stderr(),
            "\r\x1b[2Krunning: {done}/{total} contracts"
        );
        let _ = std::io::stderr().flush();
    });
    let options = run::Options {
        threads: args.threads.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            |n| n as usize,
        ),
        timeout: Some(timeout),
        retries: 3,
        project_root: root.clone(),
        progress,
        samples: args.samples,
        max_query_bytes: args.max_query_bytes,
        clock,
    };
    // Rules over time compare with the previous good run in the store,
    // read before this run is added to it.
    let over_time = ir
        .datasets
        .iter()
        .any(|ds| ds.checks.iter().any(|c| c.kind.over_time()));
    // With --no-store they are still judged against the store, which is
    // then only read (and a store not yet created has no baselines).
    let baselines = match store.as_ref().filter(|_| over_time) {
        Some(store) => {
            let before = clock.unwrap_or_else(jiff::Timestamp::now);
            let read = if args.no_store {
                match &store.target {
                    run::connection::Target::Duckdb { path: Some(path) }
                        if !Path::new(path).is_file() =>
                    {
                        Ok(run::Baselines::new())
                    }
                    _ => run::store::Store::open_existing(store, &root, watch.clone())
                        .and_then(|mut s| s.baselines(before, &connection.identity())),
                }
            } else {
                run::store::Store::open(store, &root, watch.clone())
                    .and_then(|mut s| s.baselines(before, &connection.identity()))
            };
            match read {
                Ok(found) => Some(found),
                Err(f) => return store_failure(out, &f.message),
            }
        }
        None => None,
    };
    let store = store.filter(|_| !args.no_store);
    let result = run::run(&ir, &connection, &options, &watch);
    if progress.is_some() {
        let _ = write!(std::io::stderr(), "\r\x1b[2K");
    }
    let mut report = match result {
        Ok(report) => report,
        Err(failure) => {
            let help = match failure.kind {
                run::FailureKind::Driver => "see docs/run.md, \"Drivers\"",
                run::FailureKind::Connect => {
                    "check the connection URL, the server and the credentials"
                }
                run::FailureKind::Interrupted => "the run was stopped; no query is left running",
                run::FailureKind::Query | run::FailureKind::Timeout => "",
            };
            return run_failure(
                out,
                &connection.display,
                &started_at,
                started,
                &failure.message,
                help,
            );
        }
    };
    run::judge_over_time(
        &mut report,
        &ir,
        baselines
            .as_ref()
            .or(store.as_ref().map(|_| &EMPTY_BASELINES)),
    );
    let locate = |contract: &str, check: &str| -> Option<(String, usize, usize)> {
        let origin = origins.get(contract)?;
        let span = origin
            .checks
            .get(check)
            .copied()
            .or_else(|| {
                let column = check.strip_suffix("__schema")?;
                origin.columns.get(column).map(|c| c.name)
            })
            .or(origin.dataset)?;
        let location = Diagnostic::error(Code::InvalidValue, "")
            .with_label(span, "")
            .location(&sources)?;
        Some((location.file, location.line, location.column))
    };
    // The run is stored whole, in one transaction, before it is reported.
    let stored = store.as_ref().map(|store| {
        run::store::Store::open(store, &root, watch.clone())
            .and_then(|mut s| s.append(&report, &connection.identity()))
            .map(|id| (id, store.display.clone()))
            .map_err(|f| f.message)
    });
    let text = match out.format {
        Format::Human => run::report::human(&report, out.human.color),
        Format::Json => {
            let mut doc = run::report::json(&report);
            match &stored {
                Some(Ok((id, _))) => doc["run_id"] = serde_json::json!(id),
                Some(Err(message)) => {
                    doc["error"] = serde_json::json!(format!("the run was not stored: {message}"));
                }
                None => {}
            }
            print_json(&doc);
            String::new()
        }
        Format::Junit => run::report::junit(&report),
        Format::Github => run::report::github(&report, &locate),
        // `--format html` and `sarif` are refused for `run` before this.
        Format::Markdown | Format::Html | Format::Sarif => run::report::markdown(&report),
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    match stored {
        Some(Ok((id, store))) if out.format != Format::Json => {
            out.status(&format!(
                "run: stored as {id} in {}",
                crate::text::escape_line(&store)
            ));
        }
        Some(Err(message)) => {
            if out.format == Format::Json {
                return EXIT_USAGE;
            }
            return store_failure(out, &format!("the run was not stored: {message}"));
        }
        Some(Ok(_)) | None => {}
    }
    if let Some(error) = run::report::timeout_error(&report) {
        if out.format != Format::Json {
            out.status(&format!(
                "run: {error}; raise --timeout, or check the engine"
            ));
        }
        return EXIT_USAGE;
    }
    let summary = report.summary();
    let failed =
        summary.fail > 0 || summary.error > 0 || (args.fail_on == FailOn::Warn && summary.warn > 0);
    if failed {
        EXIT_CONTRACT_ERRORS
    } else {
        EXIT_OK
    }
}

/// Each contract's latest results and objectives, for the docs catalog.
fn results_health(
    out: &mut Output,
    project: &project::Project,
    given: &str,
    ir: &crate::ir::Ir,
) -> Result<std::collections::BTreeMap<String, crate::emit::docs::Health>, u8> {
    use crate::slo;
    let now = clock(out)?.unwrap_or_else(jiff::Timestamp::now);
    let store = match store_of(project, Some(given)) {
        Some(Ok(store)) => store,
        Some(Err(message)) => return Err(store_failure(out, &message)),
        None => return Ok(Default::default()),
    };
    let objectives: std::collections::BTreeMap<String, crate::ir::Slo> = ir
        .datasets
        .iter()
        .map(|ds| (ds.contract.clone(), ds.slo()))
        .collect();
    let read = (|| {
        let mut s = crate::run::store::Store::open_existing(
            &store,
            &project_root(project),
            crate::run::Watch::new(),
        )?;
        let from = now
            .checked_sub(jiff::SignedDuration::from_secs(
                i64::try_from(slo::lookback(&objectives, None)).unwrap_or(i64::MAX),
            ))
            .unwrap_or(jiff::Timestamp::MIN);
        Ok::<_, crate::run::Failure>((s.outcomes(from, now)?, s.last_good(now)?, s.latest(now)?))
    })();
    let (outcomes, last_good, latest) = read.map_err(|f| store_failure(out, &f.message))?;
    let failures = std::collections::BTreeMap::new();
    let history = slo::History {
        outcomes: &outcomes,
        failures: &failures,
        last_good: &last_good,
    };
    Ok(slo::evaluate(&objectives, &history, None, now)
        .iter()
        .filter(|c| objectives.contains_key(&c.contract))
        .filter_map(|c| {
            Some((
                c.contract.clone(),
                slo::render::health(c, latest.get(&c.contract))?,
            ))
        })
        .collect())
}

/// `datapact report`.
fn slo_report(
    out: &mut Output,
    cli: &Cli,
    paths: &[PathBuf],
    store: Option<&str>,
    since: Option<&str>,
) -> u8 {
    use crate::run::store::Store;
    use crate::slo;
    let now = match clock(out) {
        Ok(clock) => clock.unwrap_or_else(jiff::Timestamp::now),
        Err(code) => return code,
    };
    let since = match since.map(crate::types::Duration::parse).transpose() {
        Ok(since) => since,
        Err(why) => {
            return out.fail(
                Diagnostic::error(Code::InvalidDuration, "invalid `--since`").with_help(why),
            );
        }
    };
    let project = match read_project(out, cli) {
        Ok(project) => project,
        Err(code) => return code,
    };
    let store = match store_of(&project, store) {
        Some(Ok(store)) => store,
        Some(Err(message)) => return store_failure(out, &message),
        None => {
            return out.fail(
                Diagnostic::error(Code::InvalidValue, "`report` needs a results store")
                    .with_help("pass `--store results.duckdb` (written by `datapact run --store`), or set `store` in datapact.yaml"),
            );
        }
    };
    // The objectives: from the contracts, when there are contract files.
    let given = !paths.is_empty();
    let paths = if given {
        paths.to_vec()
    } else {
        project.contracts.clone()
    };
    let mut objectives = std::collections::BTreeMap::new();
    if given || paths.iter().any(|p| p.exists()) {
        let Run { ir, json, .. } =
            check_contracts(out, &paths, &[], "report: validate", Keep::Ir, None);
        let Some(ir) = ir else {
            if let Some(doc) = json {
                print_json(&doc);
            }
            return EXIT_USAGE;
        };
        objectives = ir
            .datasets
            .iter()
            .map(|ds| (ds.contract.clone(), ds.slo()))
            .collect();
    }
    let root = project_root(&project);
    let read = (|| {
        let mut s = Store::open_existing(&store, &root, crate::run::Watch::new())?;
        let from = now
            .checked_sub(jiff::SignedDuration::from_secs(
                i64::try_from(slo::lookback(&objectives, since)).unwrap_or(i64::MAX),
            ))
            .unwrap_or(jiff::Timestamp::MIN);
        let outcomes = s.outcomes(from, now)?;
        let mut failures = std::collections::BTreeMap::new();
        for window in slo::windows(&objectives, since) {
            let from = now
                .checked_sub(jiff::SignedDuration::from_secs(
                    i64::try_from(window.seconds()).unwrap_or(i64::MAX),
                ))
                .unwrap_or(jiff::Timestamp::MIN);
            failures.insert(window, s.failures(from, now)?);
        }
        let last_good = s.last_good(now)?;
        Ok::<_, crate::run::Failure>((outcomes, failures, last_good))
    })();
    let (outcomes, failures, last_good) = match read {
        Ok(found) => found,
        Err(f) => return store_failure(out, &f.message),
    };
    let history = slo::History {
        outcomes: &outcomes,
        failures: &failures,
        last_good: &last_good,
    };
    let contracts = slo::evaluate(&objectives, &history, since, now);
    let text = match out.format {
        Format::Json => {
            print_json(&slo::render::json(&contracts, since));
            String::new()
        }
        Format::Markdown => slo::render::markdown(&contracts, since, now),
        Format::Html => match slo::render::html(&contracts, since, now) {
            Ok(page) => page,
            Err(e) => {
                return out.fail(Diagnostic::error(
                    Code::Template,
                    format!("the report page could not be rendered: {e}"),
                ));
            }
        },
        Format::Human | Format::Github | Format::Junit | Format::Sarif => {
            slo::render::human(&contracts, since, now)
        }
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    if contracts.iter().any(slo::ContractSlo::spent) {
        EXIT_CONTRACT_ERRORS
    } else {
        EXIT_OK
    }
}

/// `run` could not start or finish: the message (a diagnostic, or in JSON
/// a document with no results and an `error`), exit 2.
fn run_failure(
    out: &mut Output,
    connection: &str,
    started_at: &str,
    started: std::time::Instant,
    message: &str,
    help: &str,
) -> u8 {
    if out.format == Format::Json {
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        print_json(&crate::run::report::json_failure(
            connection, started_at, ms, message,
        ));
        return EXIT_USAGE;
    }
    let mut d = Diagnostic::error(Code::Connection, format!("run: {message}"));
    if !help.is_empty() {
        d = d.with_help(help.to_string());
    }
    out.fail(d)
}
