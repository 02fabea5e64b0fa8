use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::audit::verify_chain;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that a compose's audit log is whole: every line chained to the one before.
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
            Ok(ExitCode::SUCCESS)
        }
    }
}
