use std::path::{Path, PathBuf};

/// Where the stock phase components are: `pungi_phase_<name>.wasm` in one directory.
#[derive(Debug, Clone)]
pub struct PhaseCatalog {
    dir: PathBuf,
}

impl PhaseCatalog {
    pub fn new(dir: PathBuf) -> Self {
        PhaseCatalog { dir }
    }

    /// The default directory: `$PUNGI_WASM_PHASES`; else where an install puts them,
    /// `../share/pungi-wasm/phases` from the executable (`/usr/bin` and
    /// `/usr/share/pungi-wasm/phases` for the RPM, any prefix for the tarball); else
    /// `phases/` beside the executable; else the workspace's
    /// `target/wasm32-wasip2/release` (a development checkout).
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("PUNGI_WASM_PHASES") {
            return PathBuf::from(dir);
        }
        let exe_dir = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        ["../share/pungi-wasm/phases", "phases"]
            .into_iter()
            .map(|dir| exe_dir.join(dir))
            .find_map(|dir| dir.canonicalize().ok().filter(|dir| dir.is_dir()))
            .unwrap_or_else(|| exe_dir.join("../wasm32-wasip2/release"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The component file of phase `name`.
    pub fn path(&self, name: &str) -> anyhow::Result<PathBuf> {
        let path = self.dir.join(format!("pungi_phase_{name}.wasm"));
        if path.is_file() {
            Ok(path)
        } else {
            anyhow::bail!(
                "no component for phase `{name}`: {} does not exist (build the phases with `cargo xtask build`, or point --phases-dir at them)",
                path.display()
            )
        }
    }
}
