//! What a variant takes because of the source packages of its packages (those of the
//! parent it builds on included, as Pungi solves an optional variant together with its
//! parent): `fulltree`, every other subpackage of each source, and `selfhosting`, what
//! each source needs to build (pungi/gather_dnf.py, `add_fulltree_packages` and
//! `add_source_package_deps`).

use std::collections::{HashMap, HashSet};

use pungi_repodata::Package;

use crate::archset::{ArchSet, Filter};
use crate::solver::Solver;

/// The fulltree and selfhosting rules of one variant.arch, with the sources done so far.
pub struct SourceClosure<'r, 'a> {
    /// `gather_fulltree`, forced on for optional, addon and layered-product variants.
    fulltree: bool,
    /// Source package names fulltree leaves alone (an addon's parent's sources).
    fulltree_excludes: &'r HashSet<String>,
    /// `gather_selfhosting`, forced on for optional variants.
    selfhosting: bool,
    /// Source package records by file name, whose requirements are build requirements.
    sources: &'r HashMap<String, &'a Package>,
    /// `greedy_method = "all"`: fulltree takes native and multilib subpackages alike.
    greedy_all: bool,
    /// The package set's own binary packages by source RPM file name, made on first use.
    built_from: HashMap<&'a str, Vec<usize>>,
    fulltree_done: HashSet<&'a str>,
    selfhosting_done: HashSet<&'a str>,
}

impl<'r, 'a> SourceClosure<'r, 'a> {
    pub fn new(
        fulltree: bool,
        fulltree_excludes: &'r HashSet<String>,
        selfhosting: bool,
        sources: &'r HashMap<String, &'a Package>,
        greedy_all: bool,
    ) -> Self {
        SourceClosure {
            fulltree,
            fulltree_excludes,
            selfhosting,
            sources,
            greedy_all,
            built_from: HashMap::new(),
            fulltree_done: HashSet::new(),
            selfhosting_done: HashSet::new(),
        }
    }

    /// Applies both rules to the sources of every package present (the package set's
    /// own, not those of lookaside repositories) that they have not seen; returns
    /// whether anything was taken.
    pub fn extend(
        &mut self,
        set: &ArchSet<'a>,
        solver: &mut Solver<'_, 'a>,
        own: usize,
        filter: &Filter,
    ) -> bool {
        if !self.fulltree && !self.selfhosting {
            return false;
        }
        if self.fulltree && self.built_from.is_empty() {
            for (position, package) in set.packages[..own].iter().enumerate() {
                if !package.is_debug() {
                    self.built_from
                        .entry(package.sourcerpm.as_str())
                        .or_default()
                        .push(position);
                }
            }
        }
        let present: Vec<&'a str> = (0..own)
            .filter(|&i| solver.present(i))
            .map(|i| set.packages[i].sourcerpm.as_str())
            .collect();
        let mut added = false;
        for source in present {
            if self.fulltree && self.fulltree_done.insert(source) {
                added |= self.take_subpackages(set, solver, filter, source);
            }
            if self.selfhosting && self.selfhosting_done.insert(source) {
                // A source package missing from the package set has nothing to build with.
                if let Some(record) = self.sources.get(source) {
                    added |= solver.require_all(record);
                }
            }
        }
        added
    }

    /// Fulltree of `source`: its noarch subpackages, and its native ones unless only its
    /// multilib ones are in (or there are no native ones), then its multilib ones (both
    /// with `greedy_method = "all"`), as Pungi's `add_fulltree_packages` decides.
    fn take_subpackages(
        &self,
        set: &ArchSet<'a>,
        solver: &mut Solver<'_, 'a>,
        filter: &Filter,
        source: &str,
    ) -> bool {
        if self.fulltree_excludes.contains(source_name(source)) {
            return false;
        }
        let built: Vec<usize> = self
            .built_from
            .get(source)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| !filter.excludes(set.packages[i]))
            .collect();
        let native = |i: &usize| set.packages[*i].arch == set.arch;
        let multilib = |i: &usize| set.is_multilib_arch(&set.packages[*i].arch);
        let pull_native = if !built.iter().any(native) {
            false
        } else if built
            .iter()
            .filter(|i| native(i))
            .any(|&i| solver.present(i))
        {
            true
        } else {
            !built
                .iter()
                .filter(|i| multilib(i))
                .any(|&i| solver.present(i))
        };
        let stem = source.strip_suffix(".rpm").unwrap_or(source);
        let mut added = false;
        for index in built {
            let wanted = set.packages[index].arch == "noarch"
                || (native(&index) && (pull_native || self.greedy_all))
                || (multilib(&index) && (!pull_native || self.greedy_all));
            if wanted {
                added |= solver.add(index, format!("fulltree of {stem}"));
            }
        }
        added
    }
}

/// The package name of a source RPM file name (`name-version-release.src.rpm`).
fn source_name(file: &str) -> &str {
    file.rsplitn(3, '-').nth(2).unwrap_or(file)
}
