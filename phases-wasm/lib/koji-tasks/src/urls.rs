//! Where Koji builders find a compose tree. A phase sees the compose under a virtual
//! path only, so the URL comes from `translate_paths`: composes are made under its
//! local prefix (`/mnt/koji/compose/<compose id>`), which the builders reach at its URL
//! prefix (`https://kojipkgs.example.com/compose/<compose id>`).

use pungi_phase_sdk::PhaseError;

use crate::blocks::Config;

/// The URL of `compose/<Variant>/<arch>/os` of this compose.
pub fn tree_url(
    config: &Config,
    compose_id: &str,
    variant: &str,
    arch: &str,
) -> Result<String, PhaseError> {
    compose_url(config, compose_id, &format!("compose/{variant}/{arch}/os"))
}

/// The URL of `relative` (from the compose's top directory: `compose/...`, `work/...`).
pub fn compose_url(
    config: &Config,
    compose_id: &str,
    relative: &str,
) -> Result<String, PhaseError> {
    let pairs: Vec<(String, String)> = match config.value("translate_paths")? {
        None => Vec::new(),
        Some(value) => serde_json::from_value(value)
            .map_err(|e| PhaseError::config(format!("translate_paths: {e}")))?,
    };
    let (_, url) = pairs.first().ok_or_else(|| {
        PhaseError::config(
            "Koji builders need this compose's trees by URL: set translate_paths to \
             [(\"<directory composes are made in>\", \"<its URL>\")]",
        )
    })?;
    Ok(format!(
        "{}/{compose_id}/{relative}",
        url.trim_end_matches('/')
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_url_from_translate_paths() {
        let options = pungi_config::parse_str(
            "translate_paths = [('/mnt/koji/compose/', 'https://kojipkgs.example.com/compose/')]",
            std::path::Path::new("t.conf"),
        )
        .unwrap();
        let config = Config::from_options(options);
        assert_eq!(
            tree_url(&config, "F-41-20261125.n.0", "Server", "x86_64").unwrap(),
            "https://kojipkgs.example.com/compose/F-41-20261125.n.0/compose/Server/x86_64/os"
        );
        let none = Config::from_options(Default::default());
        assert!(
            tree_url(&none, "c", "Server", "x86_64")
                .unwrap_err()
                .message
                .contains("translate_paths")
        );
    }
}
