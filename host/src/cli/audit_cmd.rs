use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::audit::{verify_components, verify_log, verify_outputs};
use crate::compose::ComposeLayout;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check a compose: the audit log is whole (every line chained to the one before) and
    /// is the one its head (`state/audit-head.json`) records, every phase run has its
    /// start and end with its calls in between, every phase ran the component
    /// `logs/global/components.lock` names, and every repository, package and image
    /// still matches the checksum its metadata records. Links are never followed.
    Verify {
        /// The compose directory (the one holding STATUS and logs/).
        compose_dir: PathBuf,
    },
}

pub fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { compose_dir } => {
            let layout = ComposeLayout {
                topdir: compose_dir,
            };
            let log = layout.audit_log();
            let summary = verify_log(&log, &layout.audit_head())?;
            println!(
                "{}: {} records, chain intact, last hash {}, as its head records{}",
                log.display(),
                summary.chain.lines,
                summary.chain.last_hash,
                if summary.signed {
                    " (its signature is not checked by this version)"
                } else {
                    ""
                }
            );
            if summary.interrupted > 0 {
                println!(
                    "{}: {} phase runs were interrupted and the compose restarted",
                    log.display(),
                    summary.interrupted
                );
            }
            let lock = layout.components_lock();
            let phases = verify_components(&summary, &log, &lock)?;
            println!(
                "{}: {phases} phase runs, each started and ended, each by its recorded component",
                lock.display()
            );
            let outputs = verify_outputs(&layout.compose())?;
            println!(
                "{}: {} repositories, {} packages, {} images match their checksums",
                layout.compose().display(),
                outputs.repositories,
                outputs.packages,
                outputs.images
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
