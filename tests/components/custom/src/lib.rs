//! A third-party phase for the pipeline tests (`tests/tests/pipeline.rs`), run through
//! `custom_phases`. Its `config` section (`Context::phase_config`) says what to do:
//!
//! - `{"action": "count"}`: reads the `gather` document and reports how many trees it has;
//! - `{"action": "rendezvous", "me": "a", "peer": "b"}`: writes `/work/rendezvous/<me>`
//!   and waits until `/work/rendezvous/<peer>` exists, so two such phases finish only
//!   when the host runs them at the same time (otherwise the first one waits until its
//!   time limit stops it);
//! - `{"action": "fail-deliverable"}`: reports a failed, failable deliverable and ends
//!   well;
//! - `{"action": "fail", "message": "..."}`: fails with that message.

use std::path::Path;

use pungi_phase_sdk::documents::GatherDocument;
use pungi_phase_sdk::{Context, FailedDeliverable, Phase, PhaseError, Summary, register_phase};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
enum Action {
    Count,
    Rendezvous { me: String, peer: String },
    FailDeliverable,
    Fail { message: String },
}

struct Custom;

impl Phase for Custom {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let action: Action = ctx
            .phase_config()?
            .ok_or_else(|| PhaseError::config("this phase needs a `config` section"))?;
        match action {
            Action::Count => {
                let gather: GatherDocument = ctx.read()?;
                Ok(Summary::new(format!("{} trees", gather.trees.len()))
                    .count("trees", gather.trees.len() as u64))
            }
            Action::Rendezvous { me, peer } => rendezvous(&me, &peer),
            Action::FailDeliverable => {
                ctx.fail_deliverable(FailedDeliverable {
                    variant: "Server".into(),
                    arch: "x86_64".into(),
                    kind: "live".into(),
                    subvariant: Some("Workstation".into()),
                    task_id: Some(42),
                    log: Some("https://koji.example/taskinfo?taskID=42".into()),
                    reason: "the Koji task failed".into(),
                })?;
                Ok(Summary::new("one deliverable failed, and may"))
            }
            Action::Fail { message } => Err(PhaseError::input(message)),
        }
    }
}

fn rendezvous(me: &str, peer: &str) -> Result<Summary, PhaseError> {
    let dir = Path::new("/work/rendezvous");
    let io = |e: std::io::Error| PhaseError::internal(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    std::fs::write(dir.join(me), me).map_err(io)?;
    while !dir.join(peer).exists() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    Ok(Summary::new(format!("{me} met {peer}")))
}

register_phase!(Custom);
