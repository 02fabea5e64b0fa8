//! Which packages a variant gets on one arch, and why each one is there: the
//! inputs by name, then (for `deps`/`hybrid`) the dependency closure, comps
//! conditional packages whose condition is met, langpacks and multilib packages,
//! until nothing more is added.

use std::collections::{BTreeMap, HashSet};

use pungi_comps::{Langpack, fnmatch};
use pungi_repodata::Package;

use crate::archset::{ArchSet, Filter};
use crate::inputs::Input;
use crate::multilib::Multilib;
use crate::options::{Greedy, Method};
use crate::solver::Solver;
use crate::source_closure::SourceClosure;

/// What one variant.arch asks for.
pub struct Request<'r, 'a> {
    pub inputs: Vec<Input>,
    pub filter: &'r Filter,
    /// Positions of the packages the parent (and the siblings the variant builds on)
    /// ship: they meet dependencies and are not taken again.
    pub lookaside: &'r rustc_hash::FxHashSet<usize>,
    /// Positions from here on are packages of `gather_lookaside_repos`: present for
    /// dependencies, never shipped.
    pub external_from: usize,
    pub method: Method,
    pub greedy: Greedy,
    pub multilib: &'r Multilib,
    /// The variant's comps `<langpacks>` matches.
    pub langpacks: &'r [Langpack],
    /// Fulltree and selfhosting.
    pub source_closure: SourceClosure<'r, 'a>,
}

/// The result for one variant.arch: selected binary packages (NEVRA -> position in the
/// arch's package set) with the reason for each, and the names nobody could find.
#[derive(Default)]
pub struct Selection {
    pub chosen: BTreeMap<String, (usize, String)>,
    pub missing: Vec<String>,
    pub unresolved: Vec<String>,
    /// Build requirements of the variant's sources (selfhosting) nothing provides.
    pub unbuildable: Vec<String>,
}

pub fn select<'a>(set: &ArchSet<'a>, mut request: Request<'_, 'a>) -> Selection {
    let mut lookaside: Vec<bool> = (0..set.packages.len())
        .map(|i| i >= request.external_from)
        .collect();
    for &i in request.lookaside {
        lookaside[i] = true;
    }
    let own: HashSet<&str> = request.inputs.iter().map(|i| i.name.as_str()).collect();
    let mut solver = Solver::new(set, request.filter, lookaside, own, request.greedy);
    let mut missing = Vec::new();
    let (mut conditional, plain): (Vec<&Input>, Vec<&Input>) = request
        .inputs
        .iter()
        .partition(|i| i.condition.is_some() && request.method != Method::NoDeps);
    let mut wanted: Vec<(usize, &str)> = Vec::new();
    for input in plain {
        let matched = pick_by_name(set, &input.name, request.filter);
        if matched.is_empty() && !set.by_name.contains_key(input.name.as_str()) {
            missing.push(input.name.clone());
        }
        wanted.extend(matched.into_iter().map(|i| (i, input.reason.as_str())));
    }
    // Of two requested packages, the one the other obsoletes stays out.
    let requested: HashSet<usize> = wanted.iter().map(|(i, _)| *i).collect();
    for (index, reason) in wanted {
        if !set.obsoleters_of(index).any(|o| requested.contains(&o)) {
            solver.add(index, reason.to_owned());
        }
    }
    if request.method != Method::NoDeps {
        loop {
            solver.close();
            let mut added = false;
            conditional.retain(|input| {
                let condition = input.condition.as_deref().unwrap_or_default();
                let met = set
                    .by_name
                    .get(condition)
                    .is_some_and(|list| list.iter().any(|&i| solver.present(i)));
                if met {
                    for index in pick_by_name(set, &input.name, request.filter) {
                        let reason = format!("{} because {condition} is in", input.reason);
                        added |= solver.add(index, reason);
                    }
                }
                !met
            });
            added |= crate::langpacks::add(set, &mut solver, request.langpacks, request.filter);
            added |= add_multilib(set, &mut solver, request.multilib, request.filter);
            added |= request.source_closure.extend(
                set,
                &mut solver,
                request.external_from,
                request.filter,
            );
            if !added {
                break;
            }
        }
    }
    let unresolved = std::mem::take(&mut solver.unresolved);
    let unbuildable = std::mem::take(&mut solver.unbuildable);
    let chosen = solver
        .reasons
        .into_iter()
        .enumerate()
        .filter_map(|(i, reason)| reason.map(|r| (set.packages[i].nevra(), (i, r))))
        .collect();
    Selection {
        chosen,
        missing,
        unresolved,
        unbuildable,
    }
}

/// Adds the multilib build of every chosen primary-arch package that the
/// rules call multilib; returns whether anything was added.
fn add_multilib(set: &ArchSet<'_>, solver: &mut Solver, rules: &Multilib, filter: &Filter) -> bool {
    if rules.is_off() {
        return false;
    }
    let primaries: Vec<usize> = (0..set.packages.len())
        .filter(|&i| solver.reasons[i].is_some() && set.packages[i].arch == set.arch)
        .collect();
    let mut added = false;
    for index in primaries {
        let package = set.packages[index];
        let newest = set.by_name[package.name.as_str()]
            .iter()
            .copied()
            .filter(|&i| set.is_multilib_arch(&set.packages[i].arch))
            .filter(|&i| !filter.excludes(set.packages[i]))
            .max_by(|&a, &b| set.packages[a].evr().cmp(&set.packages[b].evr()));
        let Some(multilib) = newest else { continue };
        if let Some(why) = rules.reason(set.packages[multilib]) {
            let reason = format!("{why}: multilib of {}", package.nevra());
            added |= solver.add(multilib, reason);
        }
    }
    added
}

/// Which arches a requested name takes packages of.
#[derive(Clone, Copy)]
enum ArchWanted<'p> {
    /// The tree's own arch or noarch (a bare name).
    Native,
    /// Exactly this one (`name.arch`).
    Exactly(&'p str),
    /// The tree's multilib arches (`name.+`, Pungi's form for "the multilib package of").
    Multilib,
}

/// The packages a name or pattern asks for: the newest version of each
/// matching name, on the tree's arch or noarch; a multilib arch only when
/// asked for by `name.arch` or `name.+`.
pub fn pick_by_name(set: &ArchSet<'_>, pattern: &str, filter: &Filter) -> Vec<usize> {
    let (name_pattern, arch) = match pattern.rsplit_once('.') {
        Some((name, "+")) => (name, ArchWanted::Multilib),
        Some((name, arch))
            if arch == set.arch || arch == "noarch" || set.is_multilib_arch(arch) =>
        {
            (name, ArchWanted::Exactly(arch))
        }
        _ => (pattern, ArchWanted::Native),
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
    let arch_rank = |p: &Package| u8::from(p.arch == set.arch);
    names
        .into_iter()
        .filter_map(|name| {
            set.by_name
                .get(name)?
                .iter()
                .copied()
                .filter(|&i| {
                    let p = set.packages[i];
                    !p.is_debug()
                        && !filter.excludes(p)
                        && match arch {
                            ArchWanted::Native => p.arch == set.arch || p.arch == "noarch",
                            ArchWanted::Exactly(a) => p.arch == a,
                            ArchWanted::Multilib => set.is_multilib_arch(&p.arch),
                        }
                })
                .max_by(|&a, &b| {
                    let (pa, pb) = (set.packages[a], set.packages[b]);
                    pa.evr()
                        .cmp(&pb.evr())
                        .then_with(|| arch_rank(pa).cmp(&arch_rank(pb)))
                })
        })
        .collect()
}
