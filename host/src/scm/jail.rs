//! The command jail a fetch runs in: the source (a local repository or an RPM package)
//! read-only, the checkout the only writable directory, no network, nothing else of the
//! host but `/usr` (see `capabilities::command::jail`).

use std::path::Path;
use std::time::Duration;

use crate::capabilities::command::{self, Output};
use crate::policy::{Grant, Limits, MountGrant, MountRole};

/// Where the jail sees the source.
pub const SOURCE: &str = "/scm/source";
/// Where the jail sees the checkout; commands run there.
pub const CHECKOUT: &str = "/scm/checkout";

/// How long one program of a fetch may run: a clone of a large local repository or a
/// `make` of comps takes minutes at most.
const TIME_LIMIT: Duration = Duration::from_secs(30 * 60);
/// What is kept of a program's output, for error messages and `git rev-parse`.
const OUTPUT_BYTES: u64 = 1 << 20;

/// The jail of one option's fetch.
pub struct FetchJail {
    grant: Grant,
}

impl FetchJail {
    /// A jail for fetching `option` from `source` into `checkout`.
    pub fn new(option: &str, source: &Path, checkout: &Path) -> Self {
        let mount = |guest: &str, host: &Path, writable, role| MountGrant {
            guest: guest.to_owned(),
            host: host.to_path_buf(),
            writable,
            role,
            pinned: None,
        };
        FetchJail {
            grant: Grant {
                phase: format!("scm fetch of `{option}`"),
                mounts: vec![
                    mount(SOURCE, source, false, MountRole::Config),
                    mount(CHECKOUT, checkout, true, MountRole::Work),
                ],
                limits: Limits {
                    memory_bytes: 0,
                    time: TIME_LIMIT,
                    output_bytes: OUTPUT_BYTES,
                },
                ..Grant::default()
            },
        }
    }

    /// Runs `program` with `args` in the checkout; a failure (or a non-zero exit) is told
    /// with the program's stderr.
    pub fn run(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let output = command::run_for_host(&self.grant, program, &args, CHECKOUT, TIME_LIMIT)
            .map_err(|e| e.to_string())?;
        match output.exit_code {
            Some(0) => Ok(output),
            code => Err(format!(
                "exited with {}: {}",
                code.map_or("a signal".to_owned(), |c| format!("status {c}")),
                String::from_utf8_lossy(&output.stderr).trim()
            )),
        }
    }
}
