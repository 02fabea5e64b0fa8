//! Repoclosure: which requirements of a repository's packages nothing in the
//! repository (plus its lookaside repositories) satisfies. Same meaning as
//! `dnf repoclosure --repo R --check R` with lookasides as extra repos.

use serde::{Deserialize, Serialize};

use crate::dependency::Dependency;
use crate::package::Package;
use crate::provides::ProvidesIndex;

/// One requirement nothing satisfies.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Unresolved {
    /// The requiring package's NEVRA.
    pub package: String,
    pub requirement: Dependency,
}

/// Checks every `Requires` of every binary package in `repo` against `repo`
/// and `lookaside` together, in input order. Like dnf, it ignores
/// `rpmlib(...)` and `solvable:` requirements and considers every version
/// (not only the newest); unlike dnf it does not check source packages,
/// whose requirements are build dependencies.
pub fn repoclosure(repo: &[Package], lookaside: &[Package]) -> Vec<Unresolved> {
    let index = ProvidesIndex::new(repo.iter().chain(lookaside));
    repo.iter()
        .filter(|p| !p.is_source())
        .flat_map(|p| {
            p.requires
                .iter()
                .filter(|r| !r.name.starts_with("rpmlib(") && !r.name.starts_with("solvable:"))
                .filter(|r| !index.is_satisfied(r))
                .map(move |r| Unresolved {
                    package: p.nevra(),
                    requirement: r.clone(),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::tests::sample;

    #[test]
    fn reports_only_what_nothing_provides() {
        let mut app = sample("app", "1.0-1");
        app.requires = [
            "lib >= 2",
            "base",
            "rpmlib(PayloadIsZstd) <= 5.4.18-1",
            "missing",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        let lib = sample("lib", "2.1-1");
        let base = sample("base", "1-1");
        let unresolved = repoclosure(&[app, lib], &[base]);
        let found: Vec<String> = unresolved
            .iter()
            .map(|u| format!("{}: {}", u.package, u.requirement))
            .collect();
        assert_eq!(found, ["app-1.0-1.x86_64: missing"]);
    }
}
