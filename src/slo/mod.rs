//! Service-level objectives over the stored history of runs: per contract,
//! how often its promises held in the window (attainment), how much of the
//! allowed bad runs is left (the error budget), and how fast it is being
//! spent (the burn rate). The figures are computed from
//! [`crate::run::store::Outcome`]s, one per contract per run; everything is
//! exact integer arithmetic until the percentages are shown.
//!
//! ```text
//!   Store ──outcomes, failures, last good──▶ evaluate (objectives from the IR) ──▶ Vec<ContractSlo>
//!                                                                     render::{human, json, markdown, html}
//! ```

pub mod render;

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};

use crate::ir::Slo;
use crate::run::store::Outcome;
use crate::types::{Objective, Tolerance};

/// How many of a contract's runs in the window one objective counted, and
/// how many of them were bad.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub objective: Objective,
    pub runs: u64,
    pub bad: u64,
}

impl Measure {
    /// The objective as a fraction in lowest terms, e.g. 199/200.
    fn ratio(&self) -> (u128, u128) {
        let (p, q) = Tolerance::Percent(self.objective.as_str().into()).ratio();
        (u128::from(p), u128::from(q))
    }

    /// The share of good runs, in percent; `None` without runs.
    pub fn attainment(&self) -> Option<f64> {
        (self.runs > 0).then(|| 100.0 * (self.runs - self.bad) as f64 / self.runs as f64)
    }

    /// The share of the allowed bad runs (runs × (1 − objective)) not yet
    /// used, in percent, 0–100.
    pub fn budget_left(&self) -> f64 {
        if self.bad == 0 {
            return 100.0;
        }
        let (p, q) = self.ratio();
        // bad / allowed = bad × q / (runs × (q − p))
        let used = self.bad as f64 * q as f64 / (self.runs as f64 * (q - p) as f64);
        (100.0 * (1.0 - used)).clamp(0.0, 100.0)
    }

    /// Every allowed bad run is used: bad ≥ runs × (1 − objective).
    pub fn spent(&self) -> bool {
        let (p, q) = self.ratio();
        self.bad > 0 && u128::from(self.bad) * q >= u128::from(self.runs) * (q - p)
    }

    /// How fast the budget burns: the bad share over the allowed share
    /// (1 = the budget lasts exactly the window); `None` without runs.
    pub fn burn_rate(&self) -> Option<f64> {
        let (p, q) = self.ratio();
        (self.runs > 0).then(|| self.bad as f64 * q as f64 / (self.runs as f64 * (q - p) as f64))
    }
}

/// One run of a contract, for the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub started_at: Timestamp,
    pub freshness_bad: bool,
    pub quality_bad: bool,
}

/// A contract's objectives measured over its window.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractSlo {
    pub contract: String,
    /// The objectives applied (the contract's, else the defaults).
    pub slo: Slo,
    /// The window measured, e.g. `30d` (the objectives' or `--since`).
    pub window: crate::types::Duration,
    /// Runs of the contract in the window.
    pub runs: u64,
    /// `None` when no run in the window checked freshness.
    pub freshness: Option<Measure>,
    pub quality: Measure,
    pub burn_rate_24h: Option<f64>,
    pub burn_rate_7d: Option<f64>,
    /// The last run (any time before now) in which every promise held.
    pub last_good_run: Option<Timestamp>,
    pub last_run: Option<Timestamp>,
    /// The checks that failed (or could not be evaluated) in the most runs
    /// of the window, most first, at most five.
    pub failed_most: Vec<(String, u64)>,
    /// Every run of the window, oldest first.
    pub history: Vec<Point>,
}

impl ContractSlo {
    /// The error budget left, in percent: the least of its objectives'.
    pub fn error_budget_left(&self) -> f64 {
        self.measures()
            .map(Measure::budget_left)
            .fold(100.0, f64::min)
    }

    /// An objective has used all its allowed bad runs.
    pub fn spent(&self) -> bool {
        self.measures().any(Measure::spent)
    }

    fn measures(&self) -> impl Iterator<Item = &Measure> {
        self.freshness.iter().chain([&self.quality])
    }
}

/// What [`evaluate`] reads.
pub struct History<'a> {
    /// Every outcome from `now − longest window` (at least 7 days) to now.
    pub outcomes: &'a [Outcome],
    /// Per window: (contract, check, runs it failed in) over that window.
    pub failures: &'a BTreeMap<crate::types::Duration, Vec<(String, String, u64)>>,
    pub last_good: &'a BTreeMap<String, Timestamp>,
}

/// The window each contract is measured over: `since`, else its own.
pub fn window_of(slo: &Slo, since: Option<crate::types::Duration>) -> crate::types::Duration {
    since.unwrap_or(slo.window)
}

/// The contracts of `objectives` (by id; a contract the store knows but the
/// contracts do not gets the default objectives) measured at `now`.
pub fn evaluate(
    objectives: &BTreeMap<String, Slo>,
    history: &History,
    since: Option<crate::types::Duration>,
    now: Timestamp,
) -> Vec<ContractSlo> {
    let ago = |seconds: u64| {
        now.checked_sub(SignedDuration::from_secs(
            i64::try_from(seconds).unwrap_or(i64::MAX),
        ))
        .unwrap_or(Timestamp::MIN)
    };
    // Each contract's outcomes, read once (a store may hold millions).
    let mut by_contract: std::collections::BTreeMap<&str, Vec<&Outcome>> = Default::default();
    for o in history.outcomes {
        by_contract.entry(o.contract.as_str()).or_default().push(o);
    }
    let mut failures_of: std::collections::BTreeMap<
        (crate::types::Duration, &str),
        Vec<(String, u64)>,
    > = Default::default();
    for (window, found) in history.failures {
        for (contract, check, runs) in found {
            failures_of
                .entry((*window, contract.as_str()))
                .or_default()
                .push((check.clone(), *runs));
        }
    }
    // The contracts with objectives, and those with runs in their window.
    let default_from = ago(window_of(&Slo::default(), since).seconds());
    let contracts: BTreeSet<&String> = objectives
        .keys()
        .chain(
            history
                .outcomes
                .iter()
                .filter(|o| o.started_at > default_from && o.started_at <= now)
                .map(|o| &o.contract),
        )
        .collect();
    contracts
        .into_iter()
        .map(|contract| {
            let slo = objectives.get(contract).cloned().unwrap_or_default();
            let window = window_of(&slo, since);
            let own: &[&Outcome] = by_contract
                .get(contract.as_str())
                .map_or(&[], Vec::as_slice);
            let mine = |from: Timestamp| {
                own.iter()
                    .copied()
                    .filter(move |o| o.started_at > from && o.started_at <= now)
            };
            let measure = |from: Timestamp| {
                let mut fresh = Measure {
                    objective: slo.freshness.clone(),
                    runs: 0,
                    bad: 0,
                };
                let mut quality = Measure {
                    objective: slo.quality.clone(),
                    runs: 0,
                    bad: 0,
                };
                for o in mine(from) {
                    quality.runs += 1;
                    quality.bad += u64::from(o.quality_bad);
                    if o.has_freshness {
                        fresh.runs += 1;
                        fresh.bad += u64::from(o.freshness_bad);
                    }
                }
                ((fresh.runs > 0).then_some(fresh), quality)
            };
            let burn = |from: Timestamp| {
                let (fresh, quality) = measure(from);
                fresh
                    .iter()
                    .chain([&quality])
                    .filter_map(Measure::burn_rate)
                    .reduce(f64::max)
            };
            let (freshness, quality) = measure(ago(window.seconds()));
            let history_points: Vec<Point> = mine(ago(window.seconds()))
                .map(|o| Point {
                    started_at: o.started_at,
                    freshness_bad: o.freshness_bad,
                    quality_bad: o.quality_bad,
                })
                .collect();
            let mut failed_most: Vec<(String, u64)> = failures_of
                .get(&(window, contract.as_str()))
                .cloned()
                .unwrap_or_default();
            failed_most.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            failed_most.truncate(5);
            ContractSlo {
                contract: contract.clone(),
                window,
                runs: quality.runs,
                freshness,
                quality,
                burn_rate_24h: burn(ago(86_400)),
                burn_rate_7d: burn(ago(7 * 86_400)),
                last_good_run: history.last_good.get(contract).copied(),
                last_run: history_points.last().map(|p| p.started_at),
                failed_most,
                history: history_points,
                slo,
            }
        })
        .collect()
}

/// How far back the store must be read for `evaluate`: the longest window,
/// and at least the 7 days of the burn rate.
pub fn lookback(objectives: &BTreeMap<String, Slo>, since: Option<crate::types::Duration>) -> u64 {
    objectives
        .values()
        .map(|slo| window_of(slo, since).seconds())
        .chain([window_of(&Slo::default(), since).seconds(), 7 * 86_400])
        .max()
        .unwrap_or(7 * 86_400)
}

/// The distinct windows contracts are measured over (for the failure
/// counts), the default's included.
pub fn windows(
    objectives: &BTreeMap<String, Slo>,
    since: Option<crate::types::Duration>,
) -> BTreeSet<crate::types::Duration> {
    objectives
        .values()
        .chain([&Slo::default()])
        .map(|slo| window_of(slo, since))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(objective: &str, runs: u64, bad: u64) -> Measure {
        Measure {
            objective: Objective::parse(objective).unwrap(),
            runs,
            bad,
        }
    }

    #[test]
    fn budgets_are_exact_at_the_edge() {
        // 99% of 100 runs allows exactly one bad run.
        let m = measure("99%", 100, 1);
        assert!(m.spent());
        assert_eq!(m.budget_left(), 0.0);
        assert_eq!(m.attainment(), Some(99.0));
        let m = measure("99%", 200, 1);
        assert!(!m.spent());
        assert_eq!(m.budget_left(), 50.0);
        assert_eq!(m.burn_rate(), Some(0.5));
        // 99.9% of 1,000 runs: floating point would make 0.999 × 1000 ≠ 999.
        assert!(measure("99.9%", 1000, 1).spent());
        assert!(!measure("99.9%", 1001, 1).spent());
        assert!(!measure("99%", 0, 0).spent());
        assert_eq!(measure("99%", 0, 0).attainment(), None);
        assert_eq!(measure("99%", 10, 0).budget_left(), 100.0);
    }
}
