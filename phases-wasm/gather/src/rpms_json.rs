//! `rpms.json` as it is filled: hundreds of thousands of entries go into hash maps, one
//! per variant.arch, and are sorted once at the end into productmd's nested maps.
//! (Inserting each into the sorted maps cost a third of placing a distribution.)

use rustc_hash::FxHashMap;

use pungi_productmd::{Compose, RpmEntry, Rpms, RpmsBySource};

/// Entries by variant.arch, then by source NEVRA: `(NEVRA, entry)`.
#[derive(Default)]
pub struct RpmsBuilder {
    trees: Vec<Tree>,
}

struct Tree {
    variant: String,
    arch: String,
    by_source: FxHashMap<String, Vec<(String, RpmEntry)>>,
}

impl RpmsBuilder {
    /// The position of `variant`.`arch`, for [`RpmsBuilder::add`]; made on first use.
    pub fn tree(&mut self, variant: &str, arch: &str) -> usize {
        if let Some(i) = self
            .trees
            .iter()
            .position(|t| t.variant == variant && t.arch == arch)
        {
            return i;
        }
        self.trees.push(Tree {
            variant: variant.to_owned(),
            arch: arch.to_owned(),
            by_source: FxHashMap::default(),
        });
        self.trees.len() - 1
    }

    /// Records one RPM of tree `tree` (see [`Rpms::add`] for the NEVRA forms).
    pub fn add(&mut self, tree: usize, srpm_nevra: &str, nevra: String, entry: RpmEntry) {
        let by_source = &mut self.trees[tree].by_source;
        match by_source.get_mut(srpm_nevra) {
            Some(rpms) => rpms.push((nevra, entry)),
            None => {
                by_source.insert(srpm_nevra.to_owned(), vec![(nevra, entry)]);
            }
        }
    }

    /// `rpms.json` of `compose`; an RPM recorded twice in a tree keeps its last entry.
    pub fn build(self, compose: Compose) -> Rpms {
        let mut rpms = Rpms::new(compose);
        for tree in self.trees {
            let by_source: RpmsBySource = tree
                .by_source
                .into_iter()
                .map(|(source, entries)| (source, entries.into_iter().collect()))
                .collect();
            rpms.payload
                .rpms
                .entry(tree.variant)
                .or_default()
                .insert(tree.arch, by_source);
        }
        rpms
    }
}

#[cfg(test)]
mod tests {
    use pungi_productmd::RpmCategory;

    use super::*;

    fn entry(path: &str) -> RpmEntry {
        RpmEntry {
            sigkey: None,
            path: path.to_owned(),
            category: RpmCategory::Binary,
        }
    }

    #[test]
    fn builds_what_adding_one_by_one_builds() {
        let compose = Compose {
            id: "T-1-20260101.0".into(),
            kind: "production".into(),
            date: "20260101".into(),
            respin: 0,
            label: None,
            r#final: None,
        };
        let adds = [
            ("Server", "x86_64", "b-0:1-1.src", "b-0:1-1.x86_64", "p/b"),
            (
                "Server",
                "x86_64",
                "a-0:1-1.src",
                "a-libs-0:1-1.x86_64",
                "p/al",
            ),
            ("Client", "x86_64", "a-0:1-1.src", "a-0:1-1.x86_64", "c/a"),
            ("Server", "x86_64", "a-0:1-1.src", "a-0:1-1.x86_64", "p/a"),
            ("Server", "s390x", "a-0:1-1.src", "a-0:1-1.s390x", "z/a"),
        ];
        let mut one_by_one = Rpms::new(compose.clone());
        let mut builder = RpmsBuilder::default();
        for (variant, arch, srpm, nevra, path) in adds {
            one_by_one.add(variant, arch, srpm, nevra.to_owned(), entry(path));
            let tree = builder.tree(variant, arch);
            builder.add(tree, srpm, nevra.to_owned(), entry(path));
        }
        assert_eq!(builder.build(compose), one_by_one);
    }
}
