use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::pipeline::{PUNGI_PHASES, PhaseCatalog, custom_phases};
use crate::policy::ComponentLock;
use crate::runtime::{ComponentFacts, Runtime};

#[derive(Debug, Subcommand)]
pub enum PhaseCommand {
    /// Start a phase crate from the template: Cargo.toml, src/lib.rs, .gitignore.
    #[command(
        after_help = "Then: cd NAME && cargo build --release --target wasm32-wasip2
and add target/wasm32-wasip2/release/NAME.wasm to the compose config's custom_phases
(see docs/writing-a-phase.md)."
    )]
    New {
        /// The phase name, [a-z][a-z0-9_]*: crate, component file and custom_phases name.
        name: String,
        /// Where to create it [default: ./NAME]; must not exist or be empty.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The pungi-phase-sdk crate (phases-wasm/sdk of a pungi-wasm checkout)
        /// [default: the checkout this binary was built from].
        #[arg(long, value_name = "DIR")]
        sdk_path: Option<PathBuf>,
    },
    /// Write a lock file pinning the sha256 of every stock phase component (and of the
    /// custom phases of --config), for `pungi-wasm compose --lock`.
    Lock {
        /// Directory of the phase components [default: as `compose` finds them].
        #[arg(long, value_name = "DIR")]
        phases_dir: Option<PathBuf>,
        /// Also pin the custom phases of this compose config (`custom_phases`).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Where to write the lock [default: stdout].
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Show what a phase component asks for (the pungi:phase interfaces it imports, and
    /// WASI), its WIT version and whether this host runs it, its size and sha256.
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
        PhaseCommand::New {
            name,
            dir,
            sdk_path,
        } => {
            let dir = super::phase_new::scaffold(&name, dir, sdk_path)?;
            println!("created phase `{name}` in {}", dir.display());
            println!(
                "build it: cd {} && cargo build --release --target wasm32-wasip2",
                dir.display()
            );
            println!(
                "component: {}/target/wasm32-wasip2/release/{name}.wasm",
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        PhaseCommand::Lock {
            phases_dir,
            config,
            output,
        } => {
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
            if let Some(config) = config {
                let inputs = super::inputs::read_inputs(&config, &Default::default())?;
                for custom in custom_phases(&inputs.options, &inputs.config_dir, |i| {
                    inputs.item_position("custom_phases", i)
                })? {
                    lock.components.insert(custom.name, custom.sha256);
                }
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
            let facts = runtime.inspect(&component)?;
            print!("{}", describe(&component, &facts));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `phase inspect`'s report: identity, WIT version and verdict, and the capabilities
/// asked for, pungi:phase interfaces first (those are what a policy grants).
fn describe(path: &std::path::Path, facts: &ComponentFacts) -> String {
    let verdict = match (&facts.wit_version, facts.runs_on) {
        (None, _) => "pungi:phase not imported: not a phase component".to_owned(),
        (Some(v), Some(host)) => format!("pungi:phase@{v}, runs on this host (as {host})"),
        (Some(v), None) => format!(
            "pungi:phase@{v}, REFUSED by this host (it runs {})",
            crate::wit::VERSIONS.join(", ")
        ),
    };
    let interface = |import: &String, prefix: &str| {
        import
            .strip_prefix(prefix)
            .map(|rest| rest.split('@').next().unwrap_or(rest).to_owned())
    };
    let pungi: Vec<String> = facts
        .imports
        .iter()
        .filter_map(|i| interface(i, "pungi:phase/"))
        .collect();
    let wasi: Vec<String> = facts
        .imports
        .iter()
        .filter_map(|i| interface(i, "wasi:"))
        .collect();
    let other: Vec<&String> = facts
        .imports
        .iter()
        .filter(|i| !i.starts_with("pungi:phase/") && !i.starts_with("wasi:"))
        .collect();
    let mut out = format!(
        "component:   {}\nsha256:      {}\nsize:        {} bytes\nwit:         {verdict}\nexports:     {}\npungi:phase: {}\nwasi:        {}\n",
        path.display(),
        facts.sha256,
        facts.size,
        facts.exports.join(", "),
        pungi.join(", "),
        wasi.join(", "),
    );
    if !other.is_empty() {
        out.push_str(&format!(
            "other:       {} (no host offers these)\n",
            other
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}
