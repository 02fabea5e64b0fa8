use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::attest::{PublicKey, verify_attestation};
use crate::audit::{verify_components, verify_log, verify_outputs};
use crate::compose::ComposeLayout;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check a compose: the audit log is whole (every line chained to the one before) and
    /// is the one its head (`state/audit-head.json`) records, every phase run has its
    /// start and end with its calls in between, every phase ran the component
    /// `logs/global/components.lock` names, and every repository, package and image
    /// still matches the checksum its metadata records. Links are never followed.
    ///
    /// With --key, first the compose's signed attestation: its signature by that key,
    /// every subject's digest, the audit log and head it signed, and the components,
    /// config and policy it names against what the log and components.lock record.
    Verify {
        /// The compose directory (the one holding STATUS and logs/).
        compose_dir: PathBuf,
        /// The public key the compose must be signed with (securesystemslib key JSON, as
        /// `pungi-wasm key new` writes it).
        #[arg(long, value_name = "PUBKEY")]
        key: Option<PathBuf>,
    },
}

pub fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { compose_dir, key } => {
            let layout = ComposeLayout {
                topdir: compose_dir,
            };
            if let Some(key) = key {
                let key = PublicKey::read(&key)?;
                let attested = verify_attestation(&layout, &key)?;
                println!(
                    "{}: signed by key {}; {} subjects match their digests; {} records of the audit log and {} components as signed; config and policy as the log records",
                    layout.compose().join(crate::attest::ATTESTATION).display(),
                    attested.keyid,
                    attested.subjects,
                    attested.records,
                    attested.components
                );
            }
            let log = layout.audit_log();
            let summary = verify_log(&log, &layout.audit_head())?;
            println!(
                "{}: {} records, chain intact, last hash {}, as its head records{}",
                log.display(),
                summary.chain.lines,
                summary.chain.last_hash,
                if summary.signed {
                    " (signed: --key checks the signature)"
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
