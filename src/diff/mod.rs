//! `datapact diff`: what changed between two versions of a set of
//! contracts, from a consumer's point of view, and whether each contract's
//! version bump allows it.
//!
//! Reads two checked sets (the IR and the [`Origin`]s that locate its
//! parts), pairs contracts by id (or by a declared `renamed_from`), lists
//! every change with its class (`compare`; docs/diff.md has the table), and
//! gives each contract a verdict from its semantic versions. `render` prints
//! the report as text, Markdown, JSON or GitHub annotations.

mod compare;
mod render;

use std::collections::BTreeMap;

use semver::Version;

use crate::emit::docs::{Part, plain_phrase};
use crate::ir::Origin;
use crate::ir::{Dataset, Ir};
use crate::source::Span;

pub use render::{Files, github, human, json, markdown, sarif};

/// How much a change matters to a consumer, and so which version part it
/// must bump.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Nothing a query can observe: descriptions, owners, tags.
    Patch,
    /// A stronger or additional promise: consumers keep working.
    Minor,
    /// A weaker or different promise: some consumer may break.
    Breaking,
}

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::Patch => "patch",
            Class::Minor => "minor",
            Class::Breaking => "breaking",
        }
    }
}

/// Which file a change is located in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Old,
    New,
}

/// Text with code in it: a contract's names and values stay code in every
/// output format (the docs' phrase parts, without links).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Words(pub Vec<Part>);

impl Words {
    pub fn t(mut self, text: impl Into<String>) -> Words {
        self.0.push(Part::Text { text: text.into() });
        self
    }

    pub fn c(mut self, code: impl Into<String>) -> Words {
        self.0.push(Part::Code { text: code.into() });
        self
    }

    pub fn then(mut self, more: Words) -> Words {
        self.0.extend(more.0);
        self
    }

    /// Plain text, code in backticks.
    pub fn plain(&self) -> String {
        plain_phrase(&self.0)
    }
}

/// Words starting with `text`.
pub fn w(text: impl Into<String>) -> Words {
    Words::default().t(text)
}

/// One change between the old and the new version of a contract.
#[derive(Clone, Debug)]
pub struct Change {
    pub class: Class,
    /// A stable name for the kind of change, e.g. `column-removed`.
    pub kind: &'static str,
    /// What changed.
    pub what: Words,
    /// Why it is classified so.
    pub why: Words,
    /// Where: the new file, or the old one for what was removed.
    pub side: Side,
    pub span: Span,
}

/// One side of a comparison: a checked set of contracts.
#[derive(Clone, Copy)]
pub struct Set<'a> {
    pub ir: &'a Ir,
    /// Every dataset's origin, by contract id (see [`crate::Checked`]).
    pub origins: &'a BTreeMap<String, Origin>,
}

impl<'a> Set<'a> {
    fn datasets(self) -> impl Iterator<Item = (&'a Dataset, &'a Origin)> {
        self.ir
            .datasets
            .iter()
            .filter_map(move |d| Some((d, self.origins.get(&d.contract)?)))
    }
}

/// How the version went from the old contract to the new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    Backwards,
    None,
    /// Only the pre-release part went up (`2.0.0-rc.1` → `2.0.0-rc.2`).
    PreRelease,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn name(self) -> &'static str {
        match self {
            Bump::Backwards => "backwards",
            Bump::None => "none",
            Bump::PreRelease => "pre-release",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    /// `old` → `new`, by semver precedence (build metadata is ignored).
    pub fn between(old: &Version, new: &Version) -> Bump {
        let key = |v: &Version| (v.major, v.minor, v.patch, v.pre.clone());
        match key(new).cmp(&key(old)) {
            std::cmp::Ordering::Less => Bump::Backwards,
            std::cmp::Ordering::Equal => Bump::None,
            std::cmp::Ordering::Greater if new.major != old.major => Bump::Major,
            std::cmp::Ordering::Greater if new.minor != old.minor => Bump::Minor,
            std::cmp::Ordering::Greater if new.patch != old.patch => Bump::Patch,
            std::cmp::Ordering::Greater => Bump::PreRelease,
        }
    }
}

/// What became of a contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Added,
    Removed,
    /// Declared `renamed_from` this old id.
    Renamed(String),
    /// Changes, or only a new version.
    Changed,
    /// The same contract, version and all.
    Unchanged,
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Renamed(_) => "renamed",
            Status::Changed => "changed",
            Status::Unchanged => "unchanged",
        }
    }
}

/// A contract as one side has it.
#[derive(Clone, Debug)]
pub struct Release {
    pub version: String,
    pub path: String,
}

/// Whether the version bump allows the changes.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub ok: bool,
    /// The class of the weightiest change, if any.
    pub needed: Option<Class>,
    /// How the version moved (contracts on both sides only).
    pub bump: Option<Bump>,
    /// The lowest version the changes allow, when the given one does not.
    pub suggested: Option<String>,
    pub message: Words,
}

/// One contract of either side, with its changes and verdict.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The contract id: the new one, or the old one of a removed contract.
    pub contract: String,
    pub status: Status,
    pub old: Option<Release>,
    pub new: Option<Release>,
    pub changes: Vec<Change>,
    pub verdict: Verdict,
}

impl Entry {
    /// Whether `change` is one the version bump does not allow: of the
    /// class the contract needs a bump for, when it lacks that bump.
    pub fn blocks(&self, change: &Change) -> bool {
        !self.verdict.ok && Some(change.class) == self.verdict.needed
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Accept removed contracts (otherwise a removal fails the diff).
    pub allow_removed: bool,
}

/// Every contract of both sides, sorted by id.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub entries: Vec<Entry>,
}

impl Report {
    /// Every verdict allows its changes.
    pub fn ok(&self) -> bool {
        self.entries.iter().all(|e| e.verdict.ok)
    }
}

/// Compare two sets of contracts.
pub fn diff(old: Set, new: Set, options: Options) -> Report {
    let old_by_id: BTreeMap<&str, (&Dataset, &Origin)> = old
        .datasets()
        .map(|(d, o)| (d.contract.as_str(), (d, o)))
        .collect();
    let new_ids: BTreeMap<&str, ()> = new
        .datasets()
        .map(|(d, _)| (d.contract.as_str(), ()))
        .collect();
    let renames = compare::Renames::of(new.ir);
    let mut paired: BTreeMap<&str, ()> = BTreeMap::new();
    let mut entries = Vec::new();
    for (n, n_at) in new.datasets() {
        let renamed = n
            .renamed_from
            .as_deref()
            .filter(|from| !new_ids.contains_key(from) && !paired.contains_key(from));
        let matched = old_by_id
            .get(n.contract.as_str())
            .map(|o| (*o, None))
            .or_else(|| renamed.and_then(|from| Some((*old_by_id.get(from)?, Some(from)))));
        let Some(((o, o_at), renamed)) = matched else {
            entries.push(added(n));
            continue;
        };
        paired.insert(o.contract.as_str(), ());
        let changes = compare::datasets(o, o_at, n, n_at, &renames);
        let status = match renamed {
            Some(from) => Status::Renamed(from.to_string()),
            None if changes.is_empty() && o.version == n.version => Status::Unchanged,
            None => Status::Changed,
        };
        let needed = changes.iter().map(|c| c.class).max();
        entries.push(Entry {
            contract: n.contract.clone(),
            status,
            old: Some(release(o)),
            new: Some(release(n)),
            verdict: verdict(&o.version, &n.version, needed),
            changes,
        });
    }
    for (id, (o, o_at)) in &old_by_id {
        if !paired.contains_key(id) {
            entries.push(removed(o, o_at, options));
        }
    }
    entries.sort_by(|a, b| a.contract.cmp(&b.contract));
    Report { entries }
}

fn release(d: &Dataset) -> Release {
    Release {
        version: d.version.clone(),
        path: d.source_path.clone(),
    }
}

fn added(n: &Dataset) -> Entry {
    Entry {
        contract: n.contract.clone(),
        status: Status::Added,
        old: None,
        new: Some(release(n)),
        changes: Vec::new(),
        verdict: Verdict {
            ok: true,
            needed: None,
            bump: None,
            suggested: None,
            message: w("new contract at ").c(&n.version),
        },
    }
}

fn removed(o: &Dataset, at: &Origin, options: Options) -> Entry {
    let change = Change {
        class: Class::Breaking,
        kind: "contract-removed",
        what: w("contract ").c(&o.contract).t(" removed"),
        why: w("its consumers lose the dataset and every promise about it"),
        side: Side::Old,
        span: at.contract,
    };
    let message = if options.allow_removed {
        w("removed, accepted by ").c("--allow-removed")
    } else {
        w("removed: no version can allow this; once its consumers have moved on, accept it with ")
            .c("--allow-removed")
    };
    Entry {
        contract: o.contract.clone(),
        status: Status::Removed,
        old: Some(release(o)),
        new: None,
        changes: vec![change],
        verdict: Verdict {
            ok: options.allow_removed,
            needed: Some(Class::Breaking),
            bump: None,
            suggested: None,
            message,
        },
    }
}

/// Whether going from `old` to `new` allows changes of class `needed`.
///
/// Breaking changes need a major bump, minor changes a minor one, patch
/// changes a patch one. Before 1.0.0 everything moves one place right, as
/// Cargo reads versions: breaking changes need a minor bump (0.3.1 → 0.4.0),
/// others a patch bump. A pre-release of the version needed will do
/// (1.4.0 → 2.0.0-rc.1 for a breaking change). A pre-release promises
/// nothing, so a change from one needs only that the version goes up.
pub fn verdict(old: &str, new: &str, needed: Option<Class>) -> Verdict {
    let (Ok(o), Ok(n)) = (Version::parse(old), Version::parse(new)) else {
        // Validation admits only semantic versions.
        return Verdict {
            ok: false,
            needed,
            bump: None,
            suggested: None,
            message: w("not semantic versions: ").c(old).t(", ").c(new),
        };
    };
    let bump = Bump::between(&o, &n);
    let moved = w("").c(old).t(" → ").c(new);
    let fail = |message: Words, suggested: Option<String>| Verdict {
        ok: false,
        needed,
        bump: Some(bump),
        suggested,
        message,
    };
    if bump == Bump::Backwards {
        return fail(
            w("the version went down, ").c(old).t(" → ").c(new),
            needed.and_then(|c| next(&o, c)).map(|v| v.to_string()),
        );
    }
    let Some(class) = needed else {
        let message = if bump == Bump::None {
            w("unchanged")
        } else {
            w("no changes; version ").c(old).t(" → ").c(new)
        };
        return Verdict {
            ok: true,
            needed,
            bump: Some(bump),
            suggested: None,
            message,
        };
    };
    let changes = match class {
        Class::Breaking => "breaking changes",
        Class::Minor => "minor changes",
        Class::Patch => "patch changes",
    };
    let Some(lowest) = next(&o, class) else {
        return fail(
            w(format!("{changes} need a higher version than "))
                .c(old)
                .t(", and none exists: the number to raise is the largest a version can hold"),
            None,
        );
    };
    let allowed = if o.pre.is_empty() {
        // A pre-release of the lowest allowed version counts (`2.0.0-rc.1`).
        Version::new(n.major, n.minor, n.patch) >= lowest
    } else {
        // A pre-release promises nothing: any later version will do.
        bump > Bump::None
    };
    if allowed {
        return Verdict {
            ok: true,
            needed,
            bump: Some(bump),
            suggested: None,
            message: w(format!("{changes}, {} bump ", bump.name()))
                .c(old)
                .t(" → ")
                .c(new),
        };
    }
    let suggested = lowest.to_string();
    let got = if bump == Bump::None {
        w("the version is still ").c(new)
    } else {
        moved.t(format!(" is a {} bump", bump.name()))
    };
    let need = match (class, o.major == 0 && o.pre.is_empty()) {
        (Class::Breaking, false) => "a major version",
        (Class::Breaking, true) | (Class::Minor, false) => "a minor version",
        _ => "a new version",
    };
    fail(
        w(format!("{changes} need {need} (at least "))
            .c(&suggested)
            .t("), but ")
            .then(got),
        Some(suggested),
    )
}

/// The lowest release after `v` that allows changes of `class`; `None`
/// when the number to raise is already the largest there is.
fn next(v: &Version, class: Class) -> Option<Version> {
    if !v.pre.is_empty() {
        // After a pre-release, its release (2.0.0-rc.1 → 2.0.0).
        return Some(Version::new(v.major, v.minor, v.patch));
    }
    Some(match (class, v.major == 0) {
        (Class::Breaking, false) => Version::new(v.major.checked_add(1)?, 0, 0),
        (Class::Breaking, true) | (Class::Minor, false) => {
            Version::new(v.major, v.minor.checked_add(1)?, 0)
        }
        (Class::Minor, true) | (Class::Patch, _) => {
            Version::new(v.major, v.minor, v.patch.checked_add(1)?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps() {
        let b = |o: &str, n: &str| {
            Bump::between(&Version::parse(o).unwrap(), &Version::parse(n).unwrap())
        };
        assert_eq!(b("1.2.3", "2.0.0"), Bump::Major);
        assert_eq!(b("1.2.3", "1.3.0"), Bump::Minor);
        assert_eq!(b("1.2.3", "1.2.4"), Bump::Patch);
        assert_eq!(b("1.2.3", "1.2.3"), Bump::None);
        assert_eq!(b("1.2.3", "1.2.3+build.7"), Bump::None);
        assert_eq!(b("1.2.3", "1.2.2"), Bump::Backwards);
        assert_eq!(b("2.0.0", "2.0.0-rc.1"), Bump::Backwards);
        assert_eq!(b("2.0.0-rc.1", "2.0.0-rc.2"), Bump::PreRelease);
        assert_eq!(b("2.0.0-rc.1", "2.0.0"), Bump::PreRelease);
        assert_eq!(b("1.9.0", "2.0.0-rc.1"), Bump::Major);
    }

    #[test]
    fn verdicts() {
        let ok = |o: &str, n: &str, c: Option<Class>| verdict(o, n, c).ok;
        assert!(ok("1.2.3", "2.0.0", Some(Class::Breaking)));
        assert!(!ok("1.2.3", "1.3.0", Some(Class::Breaking)));
        assert!(ok("1.2.3", "1.3.0", Some(Class::Minor)));
        assert!(!ok("1.2.3", "1.2.4", Some(Class::Minor)));
        assert!(ok("1.2.3", "1.2.4", Some(Class::Patch)));
        assert!(!ok("1.2.3", "1.2.3", Some(Class::Patch)));
        assert!(ok("1.2.3", "1.2.3", None));
        assert!(ok("1.2.3", "1.4.0", None));
        assert!(!ok("1.2.3", "1.0.0", None));
        // Before 1.0.0, one place right.
        assert!(ok("0.3.1", "0.4.0", Some(Class::Breaking)));
        assert!(!ok("0.3.1", "0.3.2", Some(Class::Breaking)));
        assert!(ok("0.3.1", "0.3.2", Some(Class::Minor)));
        assert!(ok("0.3.1", "1.0.0", Some(Class::Breaking)));
        // Pre-releases promise nothing.
        assert!(ok("2.0.0-rc.1", "2.0.0-rc.2", Some(Class::Breaking)));
        assert!(ok("2.0.0-rc.1", "2.0.0", Some(Class::Breaking)));
        assert!(!ok("2.0.0-rc.2", "2.0.0-rc.1", Some(Class::Patch)));
        // A pre-release of the version needed will do; a lower one will not.
        assert!(ok("1.4.0", "2.0.0-rc.1", Some(Class::Breaking)));
        assert!(!ok("1.0.0", "1.0.1-rc.1", Some(Class::Breaking)));
        assert!(ok("1.0.0", "1.0.1-rc.1", Some(Class::Patch)));
        assert_eq!(
            verdict("1.3.0-rc.1", "1.3.0-rc.1", Some(Class::Breaking))
                .suggested
                .as_deref(),
            Some("1.3.0")
        );
        let v = verdict("1.2.3", "1.3.0", Some(Class::Breaking));
        assert_eq!(v.suggested.as_deref(), Some("2.0.0"));
        assert_eq!(
            v.message.plain(),
            "breaking changes need a major version (at least `2.0.0`), but `1.2.3` → `1.3.0` is a minor bump"
        );
        assert_eq!(
            verdict("0.3.1", "0.3.1", Some(Class::Breaking))
                .suggested
                .as_deref(),
            Some("0.4.0")
        );
        assert_eq!(
            verdict("1.2.3", "1.2.3", Some(Class::Minor))
                .message
                .plain(),
            "minor changes need a minor version (at least `1.3.0`), but the version is still `1.2.3`"
        );
    }
}
