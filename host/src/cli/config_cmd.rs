use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use pungi_config::load;
use pungi_config::schema::{Diagnostic, OPTIONS, Report, options_markdown};

use super::schema_override::SchemaOverrides;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check a compose config, its variants XML and comps file; print every problem
    /// as FILE:LINE:COL: error|warning: message. Exits 1 when there is an error.
    Validate {
        /// The Pungi config file.
        config: PathBuf,
        /// A JSON Schema laid over the option schema (repeatable), as
        /// `pungi-config-validate --schema-override` takes it (see docs/configuration.md).
        #[arg(long, value_name = "FILE")]
        schema_override: Vec<PathBuf>,
    },
    /// Print a config resolved, as `pungi-config-dump` does: every option, Pungi's
    /// defaults filled in, as JSON with sorted keys. Exits 1 on a schema error.
    Dump {
        /// A config file, or a compose directory (its logs/global/config-dump.global.log).
        source: PathBuf,
        /// Put this Koji event into the config as koji_event: an event ID, or a compose
        /// directory whose work/global/koji-event to take.
        #[arg(long, value_name = "ID")]
        freeze_event: Option<String>,
        /// Print the options as written: no check, no defaults.
        #[arg(long)]
        just_dump: bool,
    },
    /// List the config options this build knows, with type, default and phase.
    Options {
        /// Print the reference of docs/configuration.md (Markdown tables).
        #[arg(long)]
        markdown: bool,
    },
}

pub fn run(command: ConfigCommand) -> anyhow::Result<ExitCode> {
    match command {
        ConfigCommand::Validate {
            config,
            schema_override,
        } => validate(&config, &SchemaOverrides::load(&schema_override)?),
        ConfigCommand::Dump {
            source,
            freeze_event,
            just_dump,
        } => super::config_dump::run(&source, freeze_event.as_deref(), just_dump),
        ConfigCommand::Options { markdown: true } => {
            print!("{}", options_markdown());
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Options { markdown: false } => {
            for spec in OPTIONS {
                println!("{:<40} {:<16} {}", spec.name, spec.phase, spec.ty);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Validates like `pungi-config-validate`: everything at once, then a summary.
fn validate(config: &std::path::Path, overrides: &SchemaOverrides) -> anyhow::Result<ExitCode> {
    let report = match load(config) {
        Ok(loaded) => overrides.check(&loaded, &Default::default())?.report,
        Err(error) => Report {
            diagnostics: vec![Diagnostic::from_error(error)],
            defaults: Vec::new(),
        },
    };
    for diagnostic in &report.diagnostics {
        println!("{diagnostic}");
    }
    println!("{}: {}", config.display(), report.summary());
    Ok(if report.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
