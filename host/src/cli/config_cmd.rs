use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::inputs::read_inputs;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Parse a compose config and its variants file and report every problem found.
    Validate {
        /// The Pungi config file.
        config: PathBuf,
    },
}

pub fn run(command: ConfigCommand) -> anyhow::Result<ExitCode> {
    match command {
        ConfigCommand::Validate { config } => {
            let inputs = read_inputs(&config)?;
            println!(
                "{}: {} options, {} variants: OK",
                config.display(),
                inputs.options.len(),
                inputs.variants.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
