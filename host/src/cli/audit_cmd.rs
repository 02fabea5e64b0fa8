use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::audit::{verify_chain, verify_components, verify_outputs};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check a compose: the audit log is whole (every line chained to the one before),
    /// every phase ran the component `logs/global/components.lock` names, and every
    /// repository, package and image still matches the checksum its metadata records.
    Verify {
        /// The compose directory (the one holding STATUS and logs/).
        compose_dir: PathBuf,
    },
}

pub fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { compose_dir } => {
            let log = compose_dir.join("logs/global/audit.jsonl");
            let summary = verify_chain(&log)?;
            println!(
                "{}: {} records, chain intact, last hash {}",
                log.display(),
                summary.lines,
                summary.last_hash
            );
            let lock = compose_dir.join("logs/global/components.lock");
            let phases = verify_components(&log, &lock)?;
            println!(
                "{}: {phases} phase runs, each by its recorded component",
                lock.display()
            );
            let outputs = verify_outputs(&compose_dir.join("compose"))?;
            println!(
                "{}: {} repositories, {} packages, {} images match their checksums",
                compose_dir.join("compose").display(),
                outputs.repositories,
                outputs.packages,
                outputs.images
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
