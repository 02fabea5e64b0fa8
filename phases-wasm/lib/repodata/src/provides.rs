//! "Which packages satisfy this dependency?", answered the way rpm/libsolv
//! answer it, for Gather's dependency closure and the Test phase's
//! repoclosure. Built once in linear time; each query is a hash lookup.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;

use crate::dependency::{Dependency, Range};
use crate::package::Package;
use crate::rich::{self, Rich};

/// An index over a set of packages (e.g. a repository plus its lookaside).
///
/// A package satisfies a dependency through an explicit provide whose range
/// overlaps it, through its implicit `name = epoch:version-release` provide,
/// or, for a path dependency, by containing that path. Source packages
/// provide nothing. Rich dependencies are evaluated by their operators (see
/// [`ProvidesIndex::is_satisfied`]).
///
/// File paths are indexed only when some indexed package names them in a
/// dependency (libsolv does the same), which keeps memory proportional to
/// the paths that matter rather than to every file in the distribution. A
/// query for any other path falls back to scanning all file lists.
pub struct ProvidesIndex<'a> {
    packages: Vec<&'a Package>,
    by_name: HashMap<&'a str, Vec<Provider>>,
    by_file: HashMap<&'a str, Vec<u32>>,
    wanted_files: HashSet<Cow<'a, str>>,
}

/// Which package provides, and through which provide (`SELF` = the implicit one).
#[derive(Clone, Copy, Debug)]
struct Provider {
    package: u32,
    provide: u32,
}

const SELF: u32 = u32::MAX;

impl<'a> ProvidesIndex<'a> {
    /// Indexes `packages`; they must outlive the index, which borrows them.
    pub fn new(packages: impl IntoIterator<Item = &'a Package>) -> Self {
        let packages: Vec<&'a Package> = packages.into_iter().collect();
        let mut by_name: HashMap<&'a str, Vec<Provider>> =
            HashMap::with_capacity_and_hasher(packages.len() * 4, Default::default());
        for (i, p) in packages.iter().enumerate() {
            let package = i as u32;
            if !p.is_source() {
                by_name.entry(&p.name).or_default().push(Provider {
                    package,
                    provide: SELF,
                });
                for (j, provide) in p.provides.iter().enumerate() {
                    let provider = Provider {
                        package,
                        provide: j as u32,
                    };
                    by_name.entry(&provide.name).or_default().push(provider);
                }
            }
        }
        let wanted_files = wanted_files(packages.iter().copied());
        let mut by_file: HashMap<&'a str, Vec<u32>> =
            HashMap::with_capacity_and_hasher(wanted_files.len(), Default::default());
        for (i, p) in packages.iter().enumerate() {
            if p.is_source() {
                continue;
            }
            for file in &p.files {
                if wanted_files.contains(file.path.as_str()) {
                    let owners = by_file.entry(&file.path).or_default();
                    if owners.last() != Some(&(i as u32)) {
                        owners.push(i as u32);
                    }
                }
            }
        }
        ProvidesIndex {
            packages,
            by_name,
            by_file,
            wanted_files,
        }
    }

    /// The indexed packages, in the order given.
    pub fn packages(&self) -> &[&'a Package] {
        &self.packages
    }

    /// Every package satisfying `dep`, each once, in index order. For a rich
    /// dependency: every package satisfying some plain dependency named in it.
    pub fn what_provides(&self, dep: &Dependency) -> Vec<&'a Package> {
        self.provider_indices(dep)
            .into_iter()
            .map(|i| self.packages[i as usize])
            .collect()
    }

    /// Like [`ProvidesIndex::what_provides`], as positions in [`ProvidesIndex::packages`],
    /// sorted: what a solver keeps per-package state by.
    pub fn provider_indices(&self, dep: &Dependency) -> Vec<u32> {
        let mut found: Vec<u32> = Vec::new();
        self.for_each_provider(dep, &mut |i| {
            found.push(i);
            false
        });
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Whether `pred` holds for some package satisfying the plain dependency `dep` (any
    /// satisfying a plain part of a rich one), stopping at the first: the closure's "is
    /// this already met?", which needs no list of providers.
    pub fn any_provider(&self, dep: &Dependency, mut pred: impl FnMut(u32) -> bool) -> bool {
        self.for_each_provider(dep, &mut pred)
    }

    /// Whether some package (or, for a rich dependency, some combination of
    /// packages) could satisfy `dep`: `and` needs every part, `or` one, `with`
    /// one package for all parts, `without` a package of the first part that is
    /// not one of the second, `if`/`unless` their `then` or `else` branch (or
    /// nothing, when the condition cannot hold). An unparsable rich dependency
    /// is never satisfied.
    pub fn is_satisfied(&self, dep: &Dependency) -> bool {
        if dep.is_rich() {
            return Rich::parse(&dep.name).is_ok_and(|rich| self.rich_satisfied(&rich));
        }
        self.for_each_provider(dep, &mut |_| true)
    }

    fn rich_satisfied(&self, rich: &Rich) -> bool {
        match rich {
            Rich::Atom(d) => self.is_satisfied(d),
            Rich::And(parts) => parts.iter().all(|p| self.rich_satisfied(p)),
            Rich::Or(parts) => parts.iter().any(|p| self.rich_satisfied(p)),
            Rich::With(parts) => !self.rich_providers(rich).is_empty() || parts.is_empty(),
            Rich::Without(..) => !self.rich_providers(rich).is_empty(),
            Rich::If {
                then,
                condition,
                otherwise,
            } => {
                self.rich_satisfied(then)
                    || otherwise.as_ref().map_or_else(
                        || !self.rich_satisfied(condition),
                        |o| self.rich_satisfied(o),
                    )
            }
            Rich::Unless {
                then,
                condition,
                otherwise,
            } => {
                self.rich_satisfied(then)
                    || otherwise.as_ref().map_or_else(
                        || self.rich_satisfied(condition),
                        |o| self.rich_satisfied(o),
                    )
            }
        }
    }

    /// The single packages that satisfy `rich` on their own (libsolv's
    /// `whatprovides` of a rich dependency): the intersection for `and`/`with`,
    /// the union for `or`, the difference for `without`, the `then` and
    /// `else` branches for `if`/`unless`. Sorted positions.
    pub fn rich_providers(&self, rich: &Rich) -> Vec<u32> {
        match rich {
            Rich::Atom(d) => self.provider_indices(d),
            Rich::And(parts) | Rich::With(parts) => {
                let mut sets = parts.iter().map(|p| self.rich_providers(p));
                let first = sets.next().unwrap_or_default();
                sets.fold(first, |acc, next| {
                    acc.into_iter()
                        .filter(|i| next.binary_search(i).is_ok())
                        .collect()
                })
            }
            Rich::Or(parts) => {
                let mut all: Vec<u32> = parts.iter().flat_map(|p| self.rich_providers(p)).collect();
                all.sort_unstable();
                all.dedup();
                all
            }
            Rich::Without(a, b) => {
                let not = self.rich_providers(b);
                self.rich_providers(a)
                    .into_iter()
                    .filter(|i| not.binary_search(i).is_err())
                    .collect()
            }
            Rich::If {
                then, otherwise, ..
            }
            | Rich::Unless {
                then, otherwise, ..
            } => {
                let mut all = self.rich_providers(then);
                if let Some(o) = otherwise {
                    all.extend(self.rich_providers(o));
                    all.sort_unstable();
                    all.dedup();
                }
                all
            }
        }
    }

    /// Calls `found` with each satisfying package (possibly repeated) until it
    /// returns `true`; returns whether it did.
    fn for_each_provider(&self, dep: &Dependency, found: &mut dyn FnMut(u32) -> bool) -> bool {
        if dep.is_rich() {
            return rich::atoms(&dep.name)
                .iter()
                .any(|atom| self.for_each_provider(atom, found));
        }
        let wanted = dep.range();
        let by_name = self.by_name.get(dep.name.as_str()).into_iter().flatten();
        for provider in by_name {
            if self.range_of(*provider).overlaps(&wanted) && found(provider.package) {
                return true;
            }
        }
        if dep.is_file() {
            return self.for_each_file_owner(&dep.name, found);
        }
        false
    }

    fn for_each_file_owner(&self, path: &str, found: &mut dyn FnMut(u32) -> bool) -> bool {
        if self.wanted_files.contains(path) {
            let owners = self.by_file.get(path).into_iter().flatten();
            return owners.into_iter().any(|&i| found(i));
        }
        self.packages.iter().enumerate().any(|(i, p)| {
            !p.is_source() && p.files.iter().any(|f| f.path == path) && found(i as u32)
        })
    }

    fn range_of(&self, provider: Provider) -> Range<'a> {
        let p = self.packages[provider.package as usize];
        match p.provides.get(provider.provide as usize) {
            Some(provide) if provider.provide != SELF => provide.range(),
            _ => Range::exactly(p.evr()),
        }
    }
}

/// Every path that some package of `packages` names in a dependency (plain or inside a
/// rich one): the only paths a dependency query over them can ask about. Pkgset keeps
/// these in the package set's solving records, as libsolv's `addfileprovides` does.
pub fn wanted_files<'a>(packages: impl IntoIterator<Item = &'a Package>) -> HashSet<Cow<'a, str>> {
    let mut wanted: HashSet<Cow<'a, str>> = HashSet::default();
    for dep in packages.into_iter().flat_map(dependency_lists) {
        if dep.is_file() {
            wanted.insert(Cow::Borrowed(dep.name.as_str()));
        } else if dep.is_rich() {
            let atoms = rich::atoms(&dep.name).into_iter();
            wanted.extend(
                atoms
                    .filter(Dependency::is_file)
                    .map(|a| Cow::Owned(a.name)),
            );
        }
    }
    wanted
}

/// Every dependency list whose names may be looked up in an index.
fn dependency_lists(p: &Package) -> impl Iterator<Item = &Dependency> {
    [
        &p.requires,
        &p.recommends,
        &p.suggests,
        &p.supplements,
        &p.enhances,
        &p.conflicts,
        &p.obsoletes,
    ]
    .into_iter()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::tests::sample;
    use crate::package::{FileEntry, FileKind};

    fn dep(s: &str) -> Dependency {
        s.parse().unwrap()
    }

    fn names(found: Vec<&Package>) -> Vec<String> {
        found.iter().map(|p| p.nevra()).collect()
    }

    #[test]
    fn answers_by_name_version_and_file() {
        let mut bash = sample("bash", "5.2-1");
        bash.provides.push(dep("/bin/sh"));
        bash.files.push(FileEntry {
            path: "/usr/bin/bash".into(),
            kind: FileKind::File,
        });
        bash.files.push(FileEntry {
            path: "/usr/share/doc/bash/README".into(),
            kind: FileKind::File,
        });
        let mut old = sample("libfoo", "1:1.0-1");
        old.provides.push(dep("libfoo.so.1()(64bit)"));
        let new = sample("libfoo", "1:2.0-1");
        let mut user = sample("user", "1-1");
        user.requires.push(dep("/usr/bin/bash"));
        let mut src = sample("ghost", "1-1");
        src.arch = "src".into();
        let packages = [bash, old, new, user, src];
        let index = ProvidesIndex::new(&packages);

        assert_eq!(
            names(index.what_provides(&dep("bash"))),
            ["bash-5.2-1.x86_64"]
        );
        assert_eq!(
            names(index.what_provides(&dep("/bin/sh"))),
            ["bash-5.2-1.x86_64"]
        );
        assert_eq!(
            names(index.what_provides(&dep("/usr/bin/bash"))),
            ["bash-5.2-1.x86_64"]
        );
        // Not named by any dependency: found by the slow path all the same.
        assert_eq!(
            names(index.what_provides(&dep("/usr/share/doc/bash/README"))),
            ["bash-5.2-1.x86_64"]
        );
        assert_eq!(
            names(index.what_provides(&dep("libfoo >= 1:1.5"))),
            ["libfoo-1:2.0-1.x86_64"]
        );
        assert_eq!(names(index.what_provides(&dep("libfoo"))).len(), 2);
        assert!(index.what_provides(&dep("libfoo > 1:2.0-1")).is_empty());
        assert!(index.is_satisfied(&dep("libfoo = 1:2.0")));
        assert!(
            index.is_satisfied(&dep("libfoo >= 3")),
            "epoch 1 beats no epoch"
        );
        assert!(!index.is_satisfied(&dep("libfoo >= 1:3")));
        assert!(
            !index.is_satisfied(&dep("ghost")),
            "source packages provide nothing"
        );
        assert!(index.is_satisfied(&dep("(nothing or bash >= 5)")));
        assert!(!index.is_satisfied(&dep("(nothing or bash >= 6)")));
        assert_eq!(index.packages().len(), 5);
    }
}
