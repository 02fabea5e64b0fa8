//! Reading the comps file a config names, with its problems located like the config's.

use std::path::Path;

use pungi_comps::Comps;

use crate::error::{ConfigError, ConfigErrors, Pos};

/// Reads and checks the comps file at `path` (groups, categories, environments,
/// langpacks); every problem found is returned.
pub fn load_comps(path: &Path) -> Result<Comps, ConfigErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::new(
            path,
            Pos { line: 1, column: 1 },
            format!("cannot read comps file: {e}"),
        )
    })?;
    pungi_comps::parse(&text).map_err(|errors| ConfigErrors::from_xml(path, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comps_problems_are_located_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("comps.xml");
        std::fs::write(
            &path,
            "<comps>\n  <group>\n  </group>\n  <bogus/>\n</comps>\n",
        )
        .unwrap();
        let errors = load_comps(&path).unwrap_err();
        assert!(errors.0.len() >= 2, "{errors}");
        assert!(
            errors.0.iter().all(|e| e.path == path && e.line >= 2),
            "{errors}"
        );
        let missing = load_comps(&dir.path().join("nope.xml")).unwrap_err();
        assert!(
            missing.to_string().contains("cannot read comps file"),
            "{missing}"
        );
    }
}
