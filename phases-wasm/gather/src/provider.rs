//! Choosing one provider among several, in the order the issue and Pungi's
//! users expect, and saying which rule decided, so the reasons log explains
//! every choice: a package not obsoleted by another candidate, then the
//! variant's own (named in its inputs), then the newest version of one name,
//! then the requirer's own arch over noarch, then the shortest name, then
//! the alphabetically first — the choice never depends on input order.

use std::cmp::Ordering;
use std::collections::HashSet;

use crate::archset::ArchSet;

/// The best of `candidates` (positions in `set`), with the rule that put it
/// ahead of the runner-up, or `None` when there are none.
pub fn best(
    set: &ArchSet<'_>,
    candidates: &[usize],
    own: &HashSet<&str>,
    requirer_arch: &str,
) -> Option<(usize, &'static str)> {
    let obsoleted: HashSet<usize> = candidates
        .iter()
        .copied()
        .filter(|&c| set.obsoleters_of(c).any(|o| candidates.contains(&o)))
        .collect();
    let compare = |a: usize, b: usize| -> (Ordering, &'static str) {
        let (pa, pb) = (set.packages[a], set.packages[b]);
        let rules: [(Ordering, &'static str); 6] = [
            (
                obsoleted.contains(&b).cmp(&obsoleted.contains(&a)),
                "the other is obsoleted by it",
            ),
            (
                own.contains(pa.name.as_str())
                    .cmp(&own.contains(pb.name.as_str())),
                "the variant's own",
            ),
            (
                if pa.name == pb.name {
                    pa.evr().cmp(&pb.evr())
                } else {
                    Ordering::Equal
                },
                "newest EVR",
            ),
            (
                (pa.arch == requirer_arch).cmp(&(pb.arch == requirer_arch)),
                "same arch",
            ),
            (pb.name.len().cmp(&pa.name.len()), "shortest name"),
            (pb.name.cmp(&pa.name), "name order"),
        ];
        rules
            .into_iter()
            .find(|(o, _)| *o != Ordering::Equal)
            .unwrap_or((Ordering::Equal, "only candidate"))
    };
    let winner = candidates
        .iter()
        .copied()
        .max_by(|&a, &b| compare(a, b).0)?;
    let runner_up = candidates
        .iter()
        .copied()
        .filter(|&c| c != winner)
        .max_by(|&a, &b| compare(a, b).0);
    let why = runner_up.map_or("only candidate", |r| compare(winner, r).1);
    Some((winner, why))
}
