use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::attest::write_new_pair;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make an ed25519 key pair for `compose --sign-key`: DIR/signing-key.pem (the
    /// private key, PKCS#8 PEM, mode 0600) and DIR/signing-key.pub.json (the public key
    /// in securesystemslib's JSON, for `audit verify --key` and in-toto's tools). Never
    /// overwrites a file.
    New {
        /// The directory to write the pair into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

pub fn run(command: KeyCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeyCommand::New { out } => {
            let paths = write_new_pair(&out)?;
            println!("private key: {}", paths.private.display());
            println!("public key:  {}", paths.public.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
