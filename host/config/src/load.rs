//! The entry point the host uses: a config file in, its options and directory out.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::ConfigError;
use crate::eval::{Evaluated, Loader, Options};
use crate::origin::Origins;

/// A loaded Pungi config.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadedConfig {
    /// The config file as it was named, for messages about the config as a whole.
    pub path: PathBuf,
    /// Every option the file (and its includes) defines, in definition order.
    pub options: Options,
    /// Absolute directory of the config file: Pungi resolves relative paths in options
    /// (comps file, variants file, ...) against it.
    pub config_dir: PathBuf,
    /// Every file read, the config first then includes in opening order; what a
    /// compose should record to be reproducible.
    pub files: Vec<PathBuf>,
    /// Where each option was last assigned, for validation messages.
    #[serde(skip)]
    pub origins: Origins,
    /// Names the config refers to in other assignments (helper variables).
    #[serde(skip)]
    pub referenced: std::collections::BTreeSet<String>,
}

/// Reads and evaluates the config file at `path`.
pub fn load(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let mut loader = Loader::default();
    let evaluated = loader.file(path, None)?;
    Ok(loaded(path, evaluated, loader))
}

/// Evaluates config text as if it were the file `path` (includes resolve next to it);
/// for configs that do not live on disk, such as ones built by tests or tools.
pub fn parse_str(text: &str, path: &Path) -> Result<Options, ConfigError> {
    Ok(Loader::default().text(text, path)?.options)
}

/// Like [`parse_str`], keeping where each option was assigned, so tools and tests can
/// validate configs that do not live on disk.
pub fn load_str(text: &str, path: &Path) -> Result<LoadedConfig, ConfigError> {
    let mut loader = Loader::default();
    let evaluated = loader.text(text, path)?;
    Ok(loaded(path, evaluated, loader))
}

/// The config evaluated as the file `path`, with the files the loader read.
fn loaded(path: &Path, evaluated: Evaluated, loader: Loader) -> LoadedConfig {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    LoadedConfig {
        path: path.to_owned(),
        options: evaluated.options,
        origins: evaluated.origins,
        referenced: evaluated.referenced,
        config_dir: absolute.parent().map(Path::to_owned).unwrap_or_default(),
        files: loader.files,
    }
}
