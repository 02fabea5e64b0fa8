//! Which packages a variant gets on one arch, and why each one is there.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use pungi_comps::{Comps, PackageType, fnmatch};
use pungi_repodata::{Dependency, Package, ProvidesIndex};

use crate::options::Method;

/// The package set of one arch, indexed for selection.
pub struct ArchSet<'a> {
    pub arch: &'a str,
    pub packages: Vec<&'a Package>,
    by_name: HashMap<&'a str, Vec<usize>>,
    provides: ProvidesIndex<'a>,
}

impl<'a> ArchSet<'a> {
    pub fn new(arch: &'a str, packages: Vec<&'a Package>) -> Self {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, package) in packages.iter().enumerate() {
            by_name
                .entry(package.name.as_str())
                .or_default()
                .push(index);
        }
        let provides = ProvidesIndex::new(packages.iter().copied());
        ArchSet {
            arch,
            packages,
            by_name,
            provides,
        }
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
        let with_arch = format!("{}.{}", package.name, package.arch);
        self.patterns
            .iter()
            .any(|p| fnmatch(&package.name, p) || fnmatch(&with_arch, p))
    }
}

/// The result for one variant.arch: selected binary packages with the reason for each,
/// and the names nobody could find.
#[derive(Default)]
pub struct Selection<'a> {
    pub chosen: BTreeMap<String, (&'a Package, String)>,
    pub missing: Vec<String>,
    pub unresolved: Vec<String>,
}

/// What goes into the variant: comps packages, `additional_packages`, then (for `deps`)
/// the dependency closure, never a filtered package and never one the parent variant
/// (`lookaside`) already ships.
pub fn select<'a>(
    set: &ArchSet<'a>,
    comps: Option<&Comps>,
    additional: &[String],
    filter: &Filter,
    lookaside: &HashSet<String>,
    method: Method,
) -> Selection<'a> {
    let mut selection = Selection::default();
    let mut queue = VecDeque::new();
    let add = |selection: &mut Selection<'a>,
               queue: &mut VecDeque<&'a Package>,
               package: &'a Package,
               reason: String| {
        let nevra = package.nevra();
        if lookaside.contains(&nevra) || selection.chosen.contains_key(&nevra) {
            return;
        }
        selection.chosen.insert(nevra, (package, reason));
        queue.push_back(package);
    };
    for (name, reason) in inputs(comps, additional) {
        let matched = pick_by_name(set, &name, filter);
        if matched.is_empty() && !set.by_name.contains_key(name.as_str()) {
            selection.missing.push(name);
        }
        for package in matched {
            add(&mut selection, &mut queue, package, reason.clone());
        }
    }
    if method == Method::Deps {
        while let Some(package) = queue.pop_front() {
            for requirement in &package.requires {
                match provider_for(set, requirement, &selection, lookaside, filter) {
                    Provider::Satisfied => {}
                    Provider::Add(p) => add(
                        &mut selection,
                        &mut queue,
                        p,
                        format!("requires `{requirement}` of {}", package.nevra()),
                    ),
                    Provider::None => selection.unresolved.push(format!(
                        "{}: nothing provides `{requirement}`",
                        package.nevra()
                    )),
                }
            }
        }
    }
    selection
}

/// The names to start from, each with its reason: every package of every comps group
/// (mandatory, default, optional, conditional: the tree holds what could be installed)
/// and the `additional_packages` patterns.
fn inputs(comps: Option<&Comps>, additional: &[String]) -> Vec<(String, String)> {
    let mut names = Vec::new();
    for group in comps.map(|c| c.groups.as_slice()).unwrap_or_default() {
        for req in &group.packages {
            let kind = match req.kind {
                PackageType::Mandatory => "mandatory",
                PackageType::Default => "default",
                PackageType::Optional => "optional",
                PackageType::Conditional => "conditional",
            };
            names.push((
                req.name.clone(),
                format!("comps group {} ({kind})", group.id),
            ));
        }
    }
    for name in additional {
        names.push((name.clone(), "additional_packages".to_owned()));
    }
    names
}

/// The packages a name or pattern asks for: the newest version of each matching name.
fn pick_by_name<'a>(set: &ArchSet<'a>, pattern: &str, filter: &Filter) -> Vec<&'a Package> {
    let (name_pattern, arch) = match pattern.rsplit_once('.') {
        Some((name, arch)) if arch == set.arch || arch == "noarch" => (name, Some(arch)),
        _ => (pattern, None),
    };
    let names: Vec<&str> = if name_pattern.contains(['*', '?', '[']) {
        let mut names: Vec<&str> = set
            .by_name
            .keys()
            .copied()
            .filter(|n| fnmatch(n, name_pattern))
            .collect();
        names.sort_unstable();
        names
    } else {
        vec![name_pattern]
    };
    names
        .into_iter()
        .filter_map(|name| {
            set.by_name
                .get(name)?
                .iter()
                .map(|&i| set.packages[i])
                .filter(|p| !p.is_debug() && !filter.excludes(p))
                .filter(|p| arch.is_none_or(|a| p.arch == a))
                .max_by(|a, b| {
                    a.evr()
                        .cmp(&b.evr())
                        .then_with(|| arch_rank(set, a).cmp(&arch_rank(set, b)))
                })
        })
        .collect()
}

fn arch_rank(set: &ArchSet<'_>, package: &Package) -> u8 {
    u8::from(package.arch == set.arch)
}

enum Provider<'a> {
    Satisfied,
    Add(&'a Package),
    None,
}

/// Whether `requirement` is already met; else the best provider: one named like the
/// requirement, then the newest, then the arch's own over noarch, then the shortest
/// name, then alphabetical — so the choice never depends on input order.
fn provider_for<'a>(
    set: &ArchSet<'a>,
    requirement: &Dependency,
    selection: &Selection<'a>,
    lookaside: &HashSet<String>,
    filter: &Filter,
) -> Provider<'a> {
    let providers = set.provides.what_provides(requirement);
    if providers.iter().any(|p| {
        let nevra = p.nevra();
        selection.chosen.contains_key(&nevra) || lookaside.contains(&nevra)
    }) {
        return Provider::Satisfied;
    }
    let best = providers
        .into_iter()
        .filter(|p| !p.is_debug() && !p.is_source() && !filter.excludes(p))
        .max_by(|a, b| {
            (a.name == requirement.name)
                .cmp(&(b.name == requirement.name))
                .then_with(|| {
                    if a.name == b.name {
                        a.evr().cmp(&b.evr())
                    } else {
                        std::cmp::Ordering::Equal
                    }
                })
                .then_with(|| arch_rank(set, a).cmp(&arch_rank(set, b)))
                .then_with(|| b.name.len().cmp(&a.name.len()))
                .then_with(|| b.name.cmp(&a.name))
        });
    best.map_or(Provider::None, Provider::Add)
}
