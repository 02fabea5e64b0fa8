//! Multilib: which 32-bit packages a 64-bit tree ships next to the 64-bit
//! ones (Pungi's `multilib`, `multilib_blacklist`, `multilib_whitelist`).
//! A package of a multilib arch is added when the same name is in the tree on
//! the primary arch and one method says it is multilib:
//! `all` every package, `devel` development packages (`-devel`, `-static`),
//! `runtime` shared libraries (a soname provide or a `.so` in a library
//! directory). The whitelist adds names regardless of method; the blacklist
//! wins over everything.

use pungi_repodata::{Package, is_shared_library};

use crate::archset::matches_any;

/// The multilib rules of one variant.arch.
pub struct Multilib {
    pub methods: Vec<String>,
    pub blacklist: Vec<String>,
    pub whitelist: Vec<String>,
}

impl Multilib {
    /// Whether nothing can ever be multilib (no method, no whitelist).
    pub fn is_off(&self) -> bool {
        self.whitelist.is_empty() && self.methods.iter().all(|m| m == "none")
    }

    /// The method that makes `package` multilib, or `None`.
    pub fn reason(&self, package: &Package) -> Option<String> {
        if matches_any(&self.blacklist, package) {
            return None;
        }
        if matches_any(&self.whitelist, package) {
            return Some("multilib_whitelist".into());
        }
        self.methods
            .iter()
            .find(|m| match m.as_str() {
                "all" => true,
                "devel" => is_devel(package),
                "runtime" => is_runtime(package),
                _ => false,
            })
            .map(|m| format!("multilib method {m}"))
    }
}

fn is_devel(package: &Package) -> bool {
    package.name.ends_with("-devel") || package.name.ends_with("-static")
}

fn is_runtime(package: &Package) -> bool {
    let soname = |name: &str| name.contains(".so.") || name.ends_with(".so");
    package
        .provides
        .iter()
        .any(|p| soname(&p.name) && !p.name.starts_with('/'))
        || package.files.iter().any(|f| is_shared_library(&f.path))
}
