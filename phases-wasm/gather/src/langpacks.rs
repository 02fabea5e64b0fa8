//! comps `<langpacks>`: for every chosen package that a `<match name="X"
//! install="X-langpack-%s"/>` names, every langpack of it the package set has, as
//! Pungi's `add_langpack_packages` (gather_dnf.py) adds them: `%s` matches any
//! language, `-devel` and `-static` packages and `man-pages-overrides` are left out,
//! and of each name the best package is taken.

use std::collections::BTreeSet;

use pungi_comps::{Langpack, fnmatch};

use crate::archset::{ArchSet, Filter};
use crate::select::pick_by_name;
use crate::solver::Solver;

/// Names a langpack pattern never brings in.
const EXCEPTIONS: &[&str] = &["man-pages-overrides"];

/// Adds the langpacks of the chosen packages; returns whether anything was added.
pub fn add(
    set: &ArchSet<'_>,
    solver: &mut Solver,
    langpacks: &[Langpack],
    filter: &Filter,
) -> bool {
    if langpacks.is_empty() {
        return false;
    }
    let chosen: BTreeSet<&str> = (0..set.packages.len())
        .filter(|&i| solver.present(i))
        .map(|i| set.packages[i].name.as_str())
        .collect();
    let mut added = false;
    for langpack in langpacks
        .iter()
        .filter(|l| chosen.contains(l.name.as_str()))
    {
        let pattern = langpack.install.replace("%s", "*");
        let mut names: Vec<&str> = set
            .by_name
            .keys()
            .copied()
            .filter(|name| {
                fnmatch(name, &pattern)
                    && !name.ends_with("-devel")
                    && !name.ends_with("-static")
                    && !EXCEPTIONS.contains(name)
            })
            .collect();
        names.sort_unstable();
        for name in names {
            for index in pick_by_name(set, name, filter) {
                let reason = format!(
                    "langpack of {} (comps `{}`)",
                    langpack.name, langpack.install
                );
                added |= solver.add(index, reason);
            }
        }
    }
    added
}
