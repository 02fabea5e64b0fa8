//! "Did you mean": the closest known name by edit distance, with Pungi's cut-off (the
//! distance must be less than half the length of what was written).

/// Edit distance in characters where swapping two neighbours counts as one edit (the
/// commonest typo, `sha265`), otherwise Levenshtein's as Pungi uses.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The candidate closest to `written`, if close enough to be a likely typo; ties go to
/// the first candidate.
pub fn suggest<'a>(
    written: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = written.chars().count() / 2;
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = levenshtein(written, candidate);
        if distance < limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, name)| name)
}

/// `" (did you mean `x`?)"`, or nothing.
pub fn did_you_mean<'a>(written: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    suggest(written, candidates)
        .map(|name| format!("; did you mean `{name}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("gather_method", "gather_method"), 0);
        assert_eq!(levenshtein("pkgset_repo", "pkgset_repos"), 1);
        assert_eq!(levenshtein("sha265", "sha256"), 1);
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["gather_method", "gather_backend", "filter_packages"];
        assert_eq!(suggest("gather_methd", names), Some("gather_method"));
        assert_eq!(suggest("filter_pakages", names), Some("filter_packages"));
        assert_eq!(suggest("completely_else", names), None);
        assert_eq!(
            suggest("ab", ["ac"]),
            None,
            "short names need an exact-ish match"
        );
    }
}
