//! The generated package sets the benchmarks compose, made once per size and cached.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use pungi_fixtures::{SynthOptions, write_synth};

/// A benchmark size: how many binary package names (each built for both arches).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Size {
    Small,
    Medium,
    Large,
}

impl Size {
    pub fn packages(self) -> usize {
        match self {
            Size::Small => 1_000,
            Size::Medium => 10_000,
            Size::Large => 70_000,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }
}

/// The corpus of `size` under `root`, generated when missing; returns its config file:
/// the generated `synth.conf` with `check_deps = False`, because the generator leaves a
/// few arch-only virtual provides unresolved on the other arch, as real package sets do.
pub fn corpus(root: &Path, size: Size) -> anyhow::Result<PathBuf> {
    let dir = root.join(format!("corpus-{}", size.name()));
    let config = dir.join("bench.conf");
    let done = dir.join(".complete");
    if done.exists() {
        return Ok(config);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    eprintln!(
        "generating the {} corpus ({} packages) in {}",
        size.name(),
        size.packages(),
        dir.display()
    );
    let options = SynthOptions {
        packages: size.packages(),
        ..SynthOptions::default()
    };
    let layout =
        write_synth(&dir, &options).with_context(|| format!("generating {}", dir.display()))?;
    std::fs::write(
        &config,
        "# The generated corpus, composed even where a dependency is unresolved.\nfrom synth import *\n\ncheck_deps = False\n",
    )?;
    std::fs::write(&done, format!("{} rpms\n", layout.packages.len()))?;
    Ok(config)
}
