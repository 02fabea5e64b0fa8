use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::runtime::Runtime;

#[derive(Debug, Subcommand)]
pub enum PhaseCommand {
    /// Show what a phase component can ask for (its imports), its WIT version, size and
    /// sha256.
    Inspect {
        /// The component file (.wasm).
        component: PathBuf,
        /// Where compiled components are cached [default: ~/.cache/pungi-wasm].
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
    },
}

pub fn run(command: PhaseCommand) -> anyhow::Result<ExitCode> {
    match command {
        PhaseCommand::Inspect {
            component,
            cache_dir,
        } => {
            let runtime = Runtime::new(cache_dir.unwrap_or_else(Runtime::default_cache_dir))?;
            let loaded = runtime.load(&component)?;
            println!("component:   {}", loaded.path.display());
            println!("sha256:      {}", loaded.sha256);
            println!("size:        {} bytes", loaded.size);
            println!(
                "wit:         pungi:phase@{}",
                loaded.wit_version.as_deref().unwrap_or("(none imported)")
            );
            println!("imports:");
            for import in &loaded.imports {
                println!("  {import}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
