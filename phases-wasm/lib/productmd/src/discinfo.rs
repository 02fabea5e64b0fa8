//! `.discinfo` and `media.repo`, the two small files Pungi puts beside `.treeinfo` in an
//! installable tree and at the root of a disc (pungi/compose_metadata/discinfo.py): the
//! installer and dnf's media handling read them.

/// `.discinfo`: the timestamp, the description, the arch and the disc numbers (`ALL`
/// for a tree), a line each.
pub fn discinfo(timestamp: u64, description: &str, arch: &str, discs: &[u32]) -> String {
    let discs = if discs.is_empty() {
        "ALL".to_owned()
    } else {
        discs
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    format!("{timestamp}\n{description}\n{arch}\n{discs}\n")
}

/// `media.repo`: a dnf repository section for the media, identified by the timestamp.
pub fn media_repo(timestamp: u64, description: &str) -> String {
    format!(
        "[InstallMedia]\nname={description}\nmediaid={timestamp}\nmetadata_expire=-1\n\
         gpgcheck=0\ncost=500\n"
    )
}

/// What both name the media by: `<release name> <version>`, as Pungi's
/// `get_description` does for a variant that is not a layered product.
pub fn description(release_name: &str, release_version: &str) -> String {
    format!("{release_name} {release_version}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_pungi() {
        assert_eq!(
            discinfo(1_795_564_800, "Demo 1.0", "x86_64", &[]),
            "1795564800\nDemo 1.0\nx86_64\nALL\n"
        );
        assert_eq!(
            discinfo(5, "D 1", "aarch64", &[1, 2]).lines().last(),
            Some("1,2")
        );
        let repo = media_repo(1_795_564_800, "Demo 1.0");
        assert!(
            repo.starts_with("[InstallMedia]\nname=Demo 1.0\nmediaid=1795564800\n"),
            "{repo}"
        );
        assert!(repo.ends_with("cost=500\n"), "{repo}");
    }
}
