use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::pipeline::{PUNGI_PHASES, PhaseCatalog};
use crate::policy::ComponentLock;
use crate::runtime::Runtime;

#[derive(Debug, Subcommand)]
pub enum PhaseCommand {
    /// Write a lock file pinning the sha256 of every stock phase component, for
    /// `pungi-wasm compose --lock`.
    Lock {
        /// Directory of the phase components [default: as `compose` finds them].
        #[arg(long, value_name = "DIR")]
        phases_dir: Option<PathBuf>,
        /// Where to write the lock [default: stdout].
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
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
        PhaseCommand::Lock { phases_dir, output } => {
            let catalog = PhaseCatalog::new(phases_dir.unwrap_or_else(PhaseCatalog::default_dir));
            let mut lock = ComponentLock::default();
            // Every phase whose component is in the catalog; a phase left out is refused
            // by --lock as unpinned.
            for spec in PUNGI_PHASES {
                let Ok(path) = catalog.path(spec.name) else {
                    continue;
                };
                let bytes = std::fs::read(&path)?;
                lock.components
                    .insert(spec.name.to_owned(), crate::audit::digest(&bytes));
            }
            match output {
                Some(path) => crate::fsutil::write_atomic(&path, lock.to_toml().as_bytes())?,
                None => print!("{}", lock.to_toml()),
            }
            Ok(ExitCode::SUCCESS)
        }
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
