//! Files each package of the set under the arches it serves, whatever its source.

use pungi_documents::{PkgsetDocument, PkgsetPackage};
use pungi_phase_sdk::log;
use pungi_repodata::arch::usable_on;

/// The arch key under which source packages are listed by their source.
pub const SOURCE_ARCH: &str = "src";

/// Builds the document, counting what does not belong to any compose arch.
pub struct Sorter {
    pub document: PkgsetDocument,
    pub skipped: u64,
    compose_arches: Vec<String>,
}

impl Sorter {
    pub fn new(compose_arches: Vec<String>) -> Sorter {
        Sorter {
            document: PkgsetDocument::default(),
            skipped: 0,
            compose_arches,
        }
    }

    /// Adds a package found for `arch` (a repository's arch; `None` = every compose arch
    /// it is usable on, its own, noarch or multilib, as for a Koji tag).
    pub fn add(&mut self, arch: Option<&str>, entry: PkgsetPackage) {
        if entry.package.is_source() {
            self.document.sources.push(entry);
            return;
        }
        let package_arch = entry.package.arch.clone();
        let Some(arch) = arch else {
            let serves: Vec<String> = self
                .compose_arches
                .iter()
                .filter(|a| usable_on(&package_arch, a))
                .cloned()
                .collect();
            if serves.is_empty() {
                self.skipped += 1;
            }
            for a in serves {
                self.document
                    .arches
                    .entry(a)
                    .or_default()
                    .push(entry.clone());
            }
            return;
        };
        if arch == SOURCE_ARCH {
            log::warn(format!(
                "{}: a binary package in a source repository, skipped",
                entry.path
            ));
            self.skipped += 1;
        } else if !self.compose_arches.iter().any(|a| a == arch) {
            self.skipped += 1;
        } else if usable_on(&package_arch, arch) {
            self.document
                .arches
                .entry(arch.to_owned())
                .or_default()
                .push(entry);
        } else {
            log::debug(format!(
                "{}: arch {package_arch} not used on {arch}",
                entry.path
            ));
            self.skipped += 1;
        }
    }
}
