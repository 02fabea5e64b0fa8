//! `sigkeys`: which signed copy of each package the compose uses. Pungi lists
//! keys in order of preference; `None` in the list accepts unsigned packages.
//! Of several copies of one NEVRA (in several repositories) the copy signed
//! with the most preferred key wins; a package with no acceptable copy stops
//! the compose, naming the package and the key it has, because shipping an
//! unsigned or wrongly signed package is worse than not composing.

use std::collections::HashMap;
use std::path::Path;

use pungi_documents::PkgsetPackage;
use pungi_phase_sdk::{Context, PhaseError, Progress};

/// The configured preference, lower-cased; `None` entries accept unsigned packages.
pub struct Sigkeys {
    keys: Vec<Option<String>>,
}

/// A package found in a repository of `arch` (`src` for source repositories).
pub type Found = (String, PkgsetPackage);

impl Sigkeys {
    /// Reads `sigkeys` (absent means `[None]`: everything accepted, nothing read).
    pub fn read(ctx: &Context) -> Result<Self, PhaseError> {
        let keys: Option<Vec<Option<String>>> = ctx.option("sigkeys")?;
        let keys = keys.unwrap_or_else(|| vec![None]);
        if keys.is_empty() {
            return Err(PhaseError::config(
                "sigkeys is empty: list key ids, or None to accept unsigned packages",
            ));
        }
        Ok(Sigkeys {
            keys: keys
                .into_iter()
                .map(|k| k.map(|k| k.trim().to_ascii_lowercase()))
                .collect(),
        })
    }

    /// The keys in order of preference, lower-cased; `None` = unsigned.
    pub fn keys(&self) -> &[Option<String>] {
        &self.keys
    }

    /// Whether any real key is listed (else signatures need not be read at all).
    fn wants_keys(&self) -> bool {
        self.keys.iter().any(Option::is_some)
    }

    /// The rank of a copy signed by `key_id` (16 hex digits) or unsigned
    /// (`None`), and the configured key it matched; `None` when unacceptable.
    fn rank(&self, key_id: Option<&str>) -> Option<(usize, Option<String>)> {
        self.keys.iter().enumerate().find_map(|(i, wanted)| {
            let matched = match (wanted, key_id) {
                (None, None) => true,
                (Some(w), Some(k)) => k.ends_with(w.as_str()),
                _ => false,
            };
            matched.then(|| (i, wanted.clone()))
        })
    }

    /// Keeps one copy of each NEVRA per repository arch: the best-signed, the
    /// first found on a tie. Errors for packages with no acceptable copy.
    pub fn choose(&self, found: Vec<Found>) -> Result<Vec<Found>, PhaseError> {
        let reading = self.wants_keys();
        let progress = reading.then(|| Progress::begin(found.len() as u64, "reading signatures"));
        let mut best: HashMap<(String, String), (usize, usize)> = HashMap::new();
        let mut ranked: Vec<Option<(usize, Option<String>)>> = Vec::with_capacity(found.len());
        let mut refused: Vec<((String, String), String, Option<String>)> = Vec::new();
        for (i, (arch, entry)) in found.iter().enumerate() {
            let key_id = if reading {
                let id = pungi_repodata::signing_key_id(Path::new(&entry.path))
                    .map_err(|e| PhaseError::input(e.to_string()))?;
                if let Some(p) = &progress {
                    p.advance(1);
                }
                id
            } else {
                None
            };
            let rank = self.rank(key_id.as_deref());
            let group = (arch.clone(), entry.package.nevra());
            match &rank {
                Some((r, _)) => {
                    let slot = best.entry(group).or_insert((*r, i));
                    if *r < slot.0 {
                        *slot = (*r, i);
                    }
                }
                None => refused.push((group, entry.path.clone(), key_id)),
            }
            ranked.push(rank);
        }
        if let Some(p) = progress {
            p.finish("done");
        }
        let unresolved: Vec<String> = refused
            .into_iter()
            .filter(|(group, _, _)| !best.contains_key(group))
            .map(|((_, nevra), path, key)| {
                let has = key.map_or("is unsigned".to_owned(), |k| format!("is signed with {k}"));
                format!("{nevra} ({path}) {has}")
            })
            .collect();
        if !unresolved.is_empty() {
            let wanted: Vec<String> = self
                .keys
                .iter()
                .map(|k| k.clone().unwrap_or_else(|| "None (unsigned)".into()))
                .collect();
            return Err(PhaseError::input(format!(
                "{} package(s) have no copy signed with an accepted key (sigkeys = [{}]):\n  {}",
                unresolved.len(),
                wanted.join(", "),
                unresolved
                    .iter()
                    .take(20)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n  ")
            )));
        }
        let keep: std::collections::HashSet<usize> = best.values().map(|(_, i)| *i).collect();
        Ok(found
            .into_iter()
            .zip(ranked)
            .enumerate()
            .filter(|(i, _)| keep.contains(i))
            .map(|(_, ((arch, mut entry), rank))| {
                entry.sigkey = rank.and_then(|(_, key)| key);
                (arch, entry)
            })
            .collect())
    }
}
