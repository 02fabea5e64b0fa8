//! Refused calls made to cost the host (issue 19, class D): the same denied call over and
//! over, and one denied call with a huge argument. The host must stop the first after a
//! bounded number and record the second's argument by its length and digest.

use pungi_phase_sdk::{Context, PhaseError, Summary};

use crate::{denied, escaped, invocation};

/// How many denied calls the flood tries; far more than the host allows.
const FLOOD: usize = 1000;

/// `cat` is not granted: every call is denied. The host must stop the phase long before
/// the last one.
pub fn denied_flood(ctx: &Context) -> Result<Summary, PhaseError> {
    let cat = invocation("cat", &["/etc/passwd"], &[]);
    let refused = (0..FLOOD)
        .filter(|_| ctx.run_command(&cat).is_err())
        .count();
    Ok(escaped(format!(
        "made {refused} denied calls of {FLOOD} and was not stopped"
    )))
}

/// One denied call whose argument is 16 MiB.
pub fn denied_huge_argument(ctx: &Context) -> Result<Summary, PhaseError> {
    let huge = "A".repeat(16 << 20);
    match ctx.run_command(&invocation("cat", &[&huge], &[])) {
        Err(e) => Err(denied(e.to_string())),
        Ok(_) => Ok(escaped("ran `cat` with a 16 MiB argument")),
    }
}
