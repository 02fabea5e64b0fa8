//! The dependency closure of one variant.arch: a work queue over package
//! positions, each requirement looked up once in the arch's provides index,
//! so the cost grows with the number of dependency edges (near-linear in the
//! package set), not with its square.
//!
//! Rich dependencies get their meaning: `and` needs every part, `or` the
//! first part that can be met, `with`/`without` one package meeting the
//! whole expression, and `if`/`unless` wait until the closure is otherwise
//! complete, when it is known whether their condition holds. The branch the
//! condition picks is required; the `then` part ships as well whenever it can,
//! because a system installing from the repository may meet the condition with
//! packages from elsewhere (and dnf repoclosure reads `(A if B)` as needing A).
//! A candidate that conflicts with a chosen package, or that a chosen
//! package obsoletes, is never chosen.

use std::collections::{HashSet, VecDeque};

use pungi_repodata::arch::satisfies_arch;
use pungi_repodata::{Dependency, Package, Rich};

use crate::archset::{ArchSet, Filter};
use crate::options::Greedy;
use crate::provider;

/// The state of one closure.
pub struct Solver<'s, 'a> {
    set: &'s ArchSet<'a>,
    filter: &'s Filter,
    /// Per package: shipped by the parent variant, so it satisfies but is not taken.
    lookaside: Vec<bool>,
    own: HashSet<&'s str>,
    greedy: Greedy,
    /// Per package: why it is in (set once, never changed).
    pub reasons: Vec<Option<String>>,
    queue: VecDeque<usize>,
    /// `if`/`unless` requirements waiting for their condition, with their requirer.
    deferred: Vec<(&'a Package, Rich)>,
    pub unresolved: Vec<String>,
    /// Build requirements (selfhosting) nothing provides: warned about, not fatal.
    pub unbuildable: Vec<String>,
    /// Appended to the reasons of packages taken while it is set.
    note: Option<String>,
}

impl<'s, 'a> Solver<'s, 'a> {
    pub fn new(
        set: &'s ArchSet<'a>,
        filter: &'s Filter,
        lookaside: Vec<bool>,
        own: HashSet<&'s str>,
        greedy: Greedy,
    ) -> Self {
        Solver {
            set,
            filter,
            reasons: vec![None; set.packages.len()],
            lookaside,
            own,
            greedy,
            queue: VecDeque::new(),
            deferred: Vec::new(),
            unresolved: Vec::new(),
            unbuildable: Vec::new(),
            note: None,
        }
    }

    /// Takes package `index` with `reason` unless it is already in (here or in the parent).
    pub fn add(&mut self, index: usize, reason: String) -> bool {
        if self.present(index) {
            return false;
        }
        self.reasons[index] = Some(reason);
        self.queue.push_back(index);
        true
    }

    /// Whether package `index` is in the variant or its lookaside.
    pub fn present(&self, index: usize) -> bool {
        self.reasons[index].is_some() || self.lookaside[index]
    }

    /// Whether `index` may be chosen for a requirer of `requirer_arch`.
    pub fn usable(&self, index: usize, requirer_arch: &str) -> bool {
        let p = self.set.packages[index];
        !p.is_source()
            && !p.is_debug()
            && !self.filter.excludes(p)
            && satisfies_arch(requirer_arch, &p.arch, self.set.arch)
            && !self.set.obsoleters_of(index).any(|o| self.present(o))
            && !self
                .set
                .conflicts_of(index)
                .into_iter()
                .any(|c| self.reasons[c].is_some())
    }

    /// Runs the queue to the end, then the conditional (`if`/`unless`) requirements.
    pub fn close(&mut self) {
        loop {
            while let Some(index) = self.queue.pop_front() {
                self.require_all(self.set.packages[index]);
            }
            let deferred = std::mem::take(&mut self.deferred);
            let (ready, waiting): (Vec<_>, Vec<_>) = deferred.into_iter().partition(
                |(_, rich)| matches!(rich, Rich::If { condition, .. } if self.holds(condition)),
            );
            for (index, rich) in ready {
                self.settle_conditional(index, &rich, true);
            }
            if !self.queue.is_empty() {
                self.deferred = waiting;
                continue;
            }
            for (index, rich) in waiting {
                self.settle_conditional(index, &rich, false);
            }
            if self.queue.is_empty() {
                break;
            }
        }
    }

    /// Queues what every requirement of `requirer` takes: a binary package's runtime
    /// requirements, or a source package's build requirements (selfhosting).
    /// Returns whether that left work for [`Solver::close`].
    pub fn require_all(&mut self, requirer: &'a Package) -> bool {
        let pending = self.queue.len() + self.deferred.len();
        for dep in &requirer.requires {
            self.require(requirer, dep);
        }
        self.queue.len() + self.deferred.len() > pending
    }

    /// The arch whose packages serve `requirer`: its own, or for a source package
    /// (built on the tree's arch) the tree's.
    fn arch_of(&self, requirer: &'a Package) -> &'a str {
        if requirer.is_source() {
            self.set.arch
        } else {
            &requirer.arch
        }
    }

    fn require(&mut self, requirer: &'a Package, dep: &Dependency) {
        if dep.name.starts_with("rpmlib(") || dep.name.starts_with("solvable:") {
            return;
        }
        let resolved = if dep.is_rich() {
            match Rich::parse(&dep.name) {
                Ok(rich) => self.require_rich(requirer, &rich),
                Err(e) => {
                    self.unmet(requirer, e.to_string());
                    return;
                }
            }
        } else {
            self.require_atom(requirer, dep)
        };
        if !resolved {
            self.unmet(requirer, format!("nothing provides `{dep}`"));
        }
    }

    /// Records a requirement of `requirer` that cannot be met: unresolved for a binary
    /// package, unbuildable for a source package.
    fn unmet(&mut self, requirer: &Package, problem: String) {
        let list = if requirer.is_source() {
            &mut self.unbuildable
        } else {
            &mut self.unresolved
        };
        list.push(format!("{}: {problem}", requirer.nevra()));
    }

    fn require_atom(&mut self, requirer: &'a Package, dep: &Dependency) -> bool {
        if self
            .set
            .provides
            .any_provider(dep, |p| self.present(p as usize))
        {
            return true;
        }
        let providers = self.set.provides.provider_indices(dep);
        self.resolve_among(requirer, providers, || dep.to_string())
    }

    /// Satisfied when a provider is present; else takes the best usable one. `label`
    /// names the requirement in the reason, made only when a package is taken.
    fn resolve_among(
        &mut self,
        requirer: &'a Package,
        providers: Vec<u32>,
        label: impl Fn() -> String,
    ) -> bool {
        if providers.iter().any(|&p| self.present(p as usize)) {
            return true;
        }
        let arch = self.arch_of(requirer);
        let candidates: Vec<usize> = providers
            .into_iter()
            .map(|p| p as usize)
            .filter(|&p| self.usable(p, arch))
            .collect();
        let Some((best, why)) = provider::best(self.set, &candidates, &self.own, arch) else {
            return false;
        };
        let by = requirer.nevra();
        let label = label();
        let mut reason = if requirer.is_source() {
            format!("selfhosting of {by}: builds with `{label}`")
        } else {
            format!("requires `{label}` of {by}")
        };
        if candidates.len() > 1 {
            reason.push_str(&format!(
                "; chosen among {} providers: {why}",
                candidates.len()
            ));
        }
        if let Some(note) = &self.note {
            reason.push_str("; ");
            reason.push_str(note);
        }
        self.add(best, reason);
        let source = self.set.packages[best].sourcerpm.as_str();
        for other in candidates.into_iter().filter(|&c| c != best) {
            let extra = match self.greedy {
                Greedy::None => continue,
                Greedy::All => "greedy_method = all",
                Greedy::Build if self.set.packages[other].sourcerpm == source => {
                    "greedy_method = build"
                }
                Greedy::Build => continue,
            };
            self.add(other, format!("{extra}: also provides `{label}` for {by}"));
        }
        true
    }

    fn require_rich(&mut self, requirer: &'a Package, rich: &Rich) -> bool {
        match rich {
            Rich::Atom(dep) => self.require_atom(requirer, dep),
            Rich::And(parts) => {
                // Every part is required, even after one fails (its providers still ship).
                let mut ok = true;
                for part in parts {
                    ok &= self.require_rich(requirer, part);
                }
                ok
            }
            Rich::Or(parts) => {
                if self.holds(rich) {
                    return true;
                }
                let arch = self.arch_of(requirer);
                match parts.iter().find(|p| self.possible(p, arch)) {
                    Some(part) => self.require_rich(requirer, part),
                    None => false,
                }
            }
            Rich::With(_) | Rich::Without(..) => {
                let providers = self.set.provides.rich_providers(rich);
                self.resolve_among(requirer, providers, || render(rich))
            }
            Rich::If { .. } | Rich::Unless { .. } => {
                self.deferred.push((requirer, rich.clone()));
                true
            }
        }
    }

    /// Resolves an `if`/`unless` once its condition is decided: `condition_met`
    /// is known true for ready `if`s; for the rest it is evaluated now. The picked
    /// branch is required; when that is not `then`, `then` still ships if it can.
    fn settle_conditional(&mut self, requirer: &'a Package, rich: &Rich, condition_met: bool) {
        let (then, otherwise, picks_then) = match rich {
            Rich::If {
                then,
                condition,
                otherwise,
            } => (then, otherwise, condition_met || self.holds(condition)),
            Rich::Unless {
                then,
                condition,
                otherwise,
            } => (then, otherwise, !self.holds(condition)),
            _ => return,
        };
        let required = if picks_then {
            Some(then)
        } else {
            otherwise.as_ref()
        };
        if let Some(branch) = required
            && !self.require_rich(requirer, branch)
        {
            self.unmet(requirer, format!("nothing provides `{}`", render(branch)));
        }
        let arch = self.arch_of(requirer);
        if !picks_then && !self.holds(then) && self.possible(then, arch) {
            self.note = Some(format!(
                "`{}` ships for systems that meet its condition with other packages",
                render(rich)
            ));
            self.require_rich(requirer, then);
            self.note = None;
        }
    }

    /// Whether the variant (with its lookaside) already meets `rich`.
    fn holds(&self, rich: &Rich) -> bool {
        match rich {
            Rich::Atom(dep) => self
                .set
                .provides
                .any_provider(dep, |p| self.present(p as usize)),
            Rich::And(parts) => parts.iter().all(|p| self.holds(p)),
            Rich::Or(parts) => parts.iter().any(|p| self.holds(p)),
            Rich::With(_) | Rich::Without(..) => self
                .set
                .provides
                .rich_providers(rich)
                .iter()
                .any(|&p| self.present(p as usize)),
            Rich::If {
                then,
                condition,
                otherwise,
            } => match self.holds(condition) {
                true => self.holds(then),
                false => otherwise.as_ref().is_none_or(|o| self.holds(o)),
            },
            Rich::Unless {
                then,
                condition,
                otherwise,
            } => match self.holds(condition) {
                false => self.holds(then),
                true => otherwise.as_ref().is_none_or(|o| self.holds(o)),
            },
        }
    }

    /// Whether `rich` could be met by adding usable packages.
    fn possible(&self, rich: &Rich, arch: &str) -> bool {
        let any = |providers: Vec<u32>| {
            providers
                .iter()
                .any(|&p| self.present(p as usize) || self.usable(p as usize, arch))
        };
        match rich {
            Rich::Atom(dep) => any(self.set.provides.provider_indices(dep)),
            Rich::And(parts) => parts.iter().all(|p| self.possible(p, arch)),
            Rich::Or(parts) => parts.iter().any(|p| self.possible(p, arch)),
            Rich::With(_) | Rich::Without(..) => any(self.set.provides.rich_providers(rich)),
            Rich::If { .. } | Rich::Unless { .. } => true,
        }
    }
}

/// A readable form of a rich (sub)expression, for reasons and errors.
fn render(rich: &Rich) -> String {
    let join = |parts: &[Rich], op: &str| {
        let inner: Vec<String> = parts.iter().map(render).collect();
        format!("({})", inner.join(&format!(" {op} ")))
    };
    let cond = |then: &Rich, op: &str, c: &Rich, otherwise: &Option<Box<Rich>>| {
        let tail = otherwise
            .as_ref()
            .map(|o| format!(" else {}", render(o)))
            .unwrap_or_default();
        format!("({} {op} {}{tail})", render(then), render(c))
    };
    match rich {
        Rich::Atom(dep) => dep.to_string(),
        Rich::And(parts) => join(parts, "and"),
        Rich::Or(parts) => join(parts, "or"),
        Rich::With(parts) => join(parts, "with"),
        Rich::Without(a, b) => format!("({} without {})", render(a), render(b)),
        Rich::If {
            then,
            condition,
            otherwise,
        } => cond(then, "if", condition, otherwise),
        Rich::Unless {
            then,
            condition,
            otherwise,
        } => cond(then, "unless", condition, otherwise),
    }
}
