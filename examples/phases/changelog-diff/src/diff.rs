//! Comparing two package sets by source package name, and the changelog entries a new
//! build adds over the old one.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use pungi_phase_sdk::documents::{Changelog, Evr};
use serde::Serialize;

/// A source package of one compose: its EVR and, when known, its changelog (newest
/// first, as in the RPM header).
#[derive(Debug, Clone)]
pub struct Source {
    pub evr: Evr,
    pub changelog: Vec<Changelog>,
}

/// What changed between two composes.
#[derive(Debug, Default, Serialize)]
pub struct Changes {
    pub added: Vec<Version>,
    pub removed: Vec<Version>,
    pub updated: Vec<Update>,
    pub downgraded: Vec<Update>,
}

/// A package at one EVR.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Version {
    pub name: String,
    pub evr: String,
}

/// A package whose EVR changed, with the new build's changelog entries since the old.
#[derive(Debug, Serialize)]
pub struct Update {
    pub name: String,
    pub old_evr: String,
    pub new_evr: String,
    pub changelog: Vec<Changelog>,
}

/// Adds `source` under `name`, keeping the highest EVR when a name appears twice (the
/// same source package in several variants).
pub fn insert(set: &mut BTreeMap<String, Source>, name: &str, source: Source) {
    match set.get(name) {
        Some(kept) if kept.evr >= source.evr => {}
        _ => {
            set.insert(name.to_owned(), source);
        }
    }
}

/// Added, removed, updated and downgraded packages from `old` to `new`. `old_changelog`
/// gives the old build's changelog of a package whose EVR changed (read only for those).
pub fn compare<E>(
    old: &BTreeMap<String, Source>,
    new: &BTreeMap<String, Source>,
    mut old_changelog: impl FnMut(&str) -> Result<Vec<Changelog>, E>,
) -> Result<Changes, E> {
    let mut changes = Changes::default();
    for (name, source) in new {
        let Some(before) = old.get(name) else {
            changes.added.push(version(name, &source.evr));
            continue;
        };
        let order = source.evr.cmp(&before.evr);
        if order == Ordering::Equal {
            continue;
        }
        let update = Update {
            name: name.clone(),
            old_evr: before.evr.to_string(),
            new_evr: source.evr.to_string(),
            changelog: if order == Ordering::Greater {
                entries_since(&source.changelog, &old_changelog(name)?)
            } else {
                Vec::new()
            },
        };
        match order {
            Ordering::Greater => changes.updated.push(update),
            _ => changes.downgraded.push(update),
        }
    }
    changes.removed = old
        .iter()
        .filter(|(name, _)| !new.contains_key(*name))
        .map(|(name, source)| version(name, &source.evr))
        .collect();
    Ok(changes)
}

fn version(name: &str, evr: &Evr) -> Version {
    Version {
        name: name.to_owned(),
        evr: evr.to_string(),
    }
}

/// The entries of `new` above the old build's newest entry: up to that entry when `new`
/// still has it (same author line and text), else those dated after it (a rebuilt
/// history), else all of them when the old build had no changelog.
pub fn entries_since(new: &[Changelog], old: &[Changelog]) -> Vec<Changelog> {
    let Some(newest_old) = old.first() else {
        return new.to_vec();
    };
    match new
        .iter()
        .position(|e| e.author == newest_old.author && e.text == newest_old.text)
    {
        Some(at) => new[..at].to_vec(),
        None => new
            .iter()
            .filter(|e| e.time > newest_old.time)
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(author: &str, time: u64) -> Changelog {
        Changelog {
            author: author.into(),
            time,
            text: format!("- {author}"),
        }
    }

    fn source(evr: &str, changelog: Vec<Changelog>) -> Source {
        Source {
            evr: Evr::parse(evr).unwrap(),
            changelog,
        }
    }

    #[test]
    fn added_removed_updated_and_downgraded() {
        let old: BTreeMap<_, _> = [
            ("bash", source("5.2-1", vec![entry("b1", 10)])),
            ("gone", source("1.0-1", vec![])),
            ("same", source("1.0-1", vec![])),
            ("older", source("2:1.0-1", vec![])),
        ]
        .into_iter()
        .map(|(n, s)| (n.to_owned(), s))
        .collect();
        let new: BTreeMap<_, _> = [
            (
                "bash",
                source(
                    "5.2-10",
                    vec![entry("b3", 30), entry("b2", 20), entry("b1", 10)],
                ),
            ),
            ("fresh", source("0.1-1", vec![])),
            ("same", source("1.0-1", vec![])),
            ("older", source("1:9.0-1", vec![])),
        ]
        .into_iter()
        .map(|(n, s)| (n.to_owned(), s))
        .collect();
        let mut asked = Vec::new();
        let changes = compare(&old, &new, |name| {
            asked.push(name.to_owned());
            Ok::<_, ()>(old[name].changelog.clone())
        })
        .unwrap();
        assert_eq!(asked, ["bash"]);
        assert_eq!(
            changes.added,
            [version("fresh", &Evr::parse("0.1-1").unwrap())]
        );
        assert_eq!(
            changes.removed,
            [version("gone", &Evr::parse("1.0-1").unwrap())]
        );
        assert_eq!(changes.updated.len(), 1);
        let bash = &changes.updated[0];
        assert_eq!(
            (bash.old_evr.as_str(), bash.new_evr.as_str()),
            ("5.2-1", "5.2-10")
        );
        let authors: Vec<_> = bash.changelog.iter().map(|e| e.author.as_str()).collect();
        assert_eq!(authors, ["b3", "b2"]);
        assert_eq!(changes.downgraded[0].name, "older");
    }

    #[test]
    fn a_rewritten_history_falls_back_to_dates() {
        let new = vec![entry("x3", 30), entry("x2", 20), entry("x1", 5)];
        let old = vec![entry("b1", 10)];
        let authors: Vec<_> = entries_since(&new, &old)
            .into_iter()
            .map(|e| e.author)
            .collect();
        assert_eq!(authors, ["x3", "x2"]);
        assert_eq!(entries_since(&new, &[]).len(), 3);
    }

    #[test]
    fn the_highest_evr_of_a_name_is_kept() {
        let mut set = BTreeMap::new();
        insert(&mut set, "a", source("1.0-2", vec![]));
        insert(&mut set, "a", source("1.0-1", vec![]));
        assert_eq!(set["a"].evr.to_string(), "1.0-2");
    }
}
