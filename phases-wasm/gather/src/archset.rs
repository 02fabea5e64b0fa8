//! The package set of one arch, indexed once and shared by every variant on
//! that arch: names, provides (with files), and who obsoletes
//! or conflicts with what. Every per-package fact is kept by position, so the
//! closure never allocates per lookup.

use rustc_hash::FxHashMap as HashMap;

use pungi_comps::fnmatch;
use pungi_repodata::{Dependency, Package, ProvidesIndex, Range, arch::multilib_arches};

/// The package set of one arch, indexed for selection.
pub struct ArchSet<'a> {
    pub arch: &'a str,
    pub packages: Vec<&'a Package>,
    pub by_name: HashMap<&'a str, Vec<usize>>,
    pub provides: ProvidesIndex<'a>,
    /// Obsoletes, by the package name they obsolete: `(obsoleter, dependency)`.
    obsoleters: HashMap<&'a str, Vec<(usize, &'a Dependency)>>,
    /// Conflicts, by the capability name they conflict with: `(package, dependency)`.
    conflicters: HashMap<&'a str, Vec<(usize, &'a Dependency)>>,
}

impl<'a> ArchSet<'a> {
    pub fn new(arch: &'a str, packages: Vec<&'a Package>) -> Self {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::default();
        let mut obsoleters: HashMap<&str, Vec<(usize, &Dependency)>> = HashMap::default();
        let mut conflicters: HashMap<&str, Vec<(usize, &Dependency)>> = HashMap::default();
        for (index, package) in packages.iter().enumerate() {
            by_name.entry(&package.name).or_default().push(index);
            for dep in &package.obsoletes {
                obsoleters.entry(&dep.name).or_default().push((index, dep));
            }
            for dep in package.conflicts.iter().filter(|d| !d.is_rich()) {
                conflicters.entry(&dep.name).or_default().push((index, dep));
            }
        }
        let provides = ProvidesIndex::new(packages.iter().copied());
        ArchSet {
            arch,
            packages,
            by_name,
            provides,
            obsoleters,
            conflicters,
        }
    }

    /// Whether `arch` is one of this tree's multilib arches (e.g. i686 on x86_64).
    pub fn is_multilib_arch(&self, arch: &str) -> bool {
        multilib_arches(self.arch).contains(&arch)
    }

    /// The packages that obsolete `index` (rpm matches Obsoletes against names only).
    pub fn obsoleters_of(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        let package = self.packages[index];
        self.obsoleters
            .get(package.name.as_str())
            .into_iter()
            .flatten()
            .filter(move |(o, dep)| {
                *o != index
                    && self.packages[*o].name != package.name
                    && dep.range().overlaps(&Range::exactly(package.evr()))
            })
            .map(|(o, _)| *o)
    }

    /// The packages that declare a conflict `index` satisfies, or that `index`
    /// declares a conflict with.
    pub fn conflicts_of(&self, index: usize) -> Vec<usize> {
        let package = self.packages[index];
        let mut found: Vec<usize> = package
            .conflicts
            .iter()
            .flat_map(|dep| self.provides.provider_indices(dep))
            .map(|i| i as usize)
            .filter(|&i| i != index)
            .collect();
        let names = std::iter::once(package.name.as_str())
            .chain(package.provides.iter().map(|p| p.name.as_str()));
        for name in names {
            for (other, dep) in self.conflicters.get(name).into_iter().flatten() {
                if *other != index
                    && self
                        .provides
                        .provider_indices(dep)
                        .binary_search(&(index as u32))
                        .is_ok()
                {
                    found.push(*other);
                }
            }
        }
        found
    }
}

/// Package name patterns (`name`, `name.arch`, shell globs) that keep packages out.
pub struct Filter {
    patterns: Vec<String>,
}

impl Filter {
    pub fn new(patterns: Vec<String>) -> Self {
        Filter { patterns }
    }

    pub fn excludes(&self, package: &Package) -> bool {
        matches_any(&self.patterns, package)
    }
}

/// Whether `package` matches one of `patterns` by name or by `name.arch`.
pub fn matches_any(patterns: &[String], package: &Package) -> bool {
    patterns.iter().any(|p| {
        fnmatch(&package.name, p)
            || (p.contains('.') && fnmatch(&format!("{}.{}", package.name, package.arch), p))
    })
}
