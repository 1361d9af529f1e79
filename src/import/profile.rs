//! (in progress)
use super::Draft;
use crate::run::engine::{Failure, FailureKind, Session};
use crate::types::Dialect;

pub fn profile(
    _session: &mut Session,
    _dialect: Dialect,
    _draft: &mut Draft,
    _timeout: Option<std::time::Duration>,
) -> Result<(), Failure> {
    Err(Failure::new(
        FailureKind::Query,
        "--profile is not built yet",
    ))
}
