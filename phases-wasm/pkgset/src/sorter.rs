//! Files each package of the set under the arches it serves, whatever its source.

use pungi_documents::{PkgsetDocument, PkgsetPackage};
use pungi_phase_sdk::log;
use pungi_repodata::arch::usable_on;

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

    /// Adds a package: a source to the sources, a binary to every compose arch it is
    /// usable on (its own, noarch, or multilib), whichever repository or tag it came
    /// from.
    pub fn add(&mut self, entry: PkgsetPackage) {
        if entry.package.is_source() {
            self.document.sources.push(entry);
            return;
        }
        let serves: Vec<&String> = self
            .compose_arches
            .iter()
            .filter(|a| usable_on(&entry.package.arch, a))
            .collect();
        if serves.is_empty() {
            log::debug(format!(
                "{}: arch {} is used on no arch of the compose",
                entry.path, entry.package.arch
            ));
            self.skipped += 1;
        }
        for arch in serves {
            self.document
                .arches
                .entry(arch.clone())
                .or_default()
                .push(entry.clone());
        }
    }
}
