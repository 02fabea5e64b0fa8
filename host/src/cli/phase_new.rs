//! `pungi-wasm phase new NAME`: a phase crate from the template in `templates/phase/`,
//! embedded in the binary so it needs nothing but the SDK.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::pipeline::PUNGI_PHASES;

/// The template's files: path in the new crate, and text.
const TEMPLATE: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../../../templates/phase/Cargo.toml"),
    ),
    (
        "src/lib.rs",
        include_str!("../../../templates/phase/src/lib.rs"),
    ),
    (
        ".gitignore",
        include_str!("../../../templates/phase/.gitignore"),
    ),
];

/// The template's phase name, type name and SDK path, replaced in every file.
const TEMPLATE_NAME: &str = "my_phase";
const TEMPLATE_TYPE: &str = "MyPhase";
const TEMPLATE_SDK: &str = "\"../../phases-wasm/sdk\"";

/// The SDK of the checkout this binary was built from, when it is still there.
const BUILT_FROM_SDK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../phases-wasm/sdk");

/// Writes the crate for phase `name` into `dir` (default `./NAME`), depending on the SDK
/// at `sdk` (default: the checkout this binary was built from). Returns the directory.
pub fn scaffold(name: &str, dir: Option<PathBuf>, sdk: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    check_name(name)?;
    let dir = dir.unwrap_or_else(|| PathBuf::from(name));
    if dir.exists() && std::fs::read_dir(&dir)?.next().is_some() {
        bail!(
            "{} exists and is not empty; pick another --dir",
            dir.display()
        );
    }
    let sdk = sdk_path(sdk)?;
    let sdk_toml = toml::Value::String(sdk.display().to_string()).to_string();
    for (relative, text) in TEMPLATE {
        let text = text
            .replace(TEMPLATE_SDK, &sdk_toml)
            .replace(TEMPLATE_NAME, name)
            .replace(TEMPLATE_TYPE, &type_name(name));
        crate::fsutil::write_atomic(&dir.join(relative), text.as_bytes())?;
    }
    Ok(dir)
}

/// `[a-z][a-z0-9_]*` and not one of Pungi's phases: what `custom_phases` accepts.
fn check_name(name: &str) -> anyhow::Result<()> {
    let mut chars = name.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !well_formed {
        bail!("phase name `{name}` must match [a-z][a-z0-9_]* (e.g. `sbom`, `release_notes`)");
    }
    if PUNGI_PHASES.iter().any(|p| p.name == name) {
        bail!("`{name}` is one of Pungi's phases; a custom phase needs a name of its own");
    }
    Ok(())
}

/// The SDK directory, made absolute so the crate builds wherever it is moved.
fn sdk_path(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let (path, origin) = match given {
        Some(path) => (path, "--sdk-path"),
        None => (
            PathBuf::from(BUILT_FROM_SDK),
            "the checkout this binary was built from",
        ),
    };
    let resolved = path.canonicalize().with_context(|| {
        format!(
            "no pungi-phase-sdk at {} ({origin}); pass --sdk-path DIR (phases-wasm/sdk of a pungi-wasm checkout)",
            path.display()
        )
    })?;
    if !Path::new(&resolved).join("Cargo.toml").is_file() {
        bail!(
            "{} ({origin}) has no Cargo.toml; --sdk-path wants phases-wasm/sdk of a pungi-wasm checkout",
            resolved.display()
        );
    }
    Ok(resolved)
}

/// `release_notes` -> `ReleaseNotes`, the phase's type name.
fn type_name(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_name("release_notes2").is_ok());
        for bad in ["Sbom", "2x", "a-b", "", "gather", "createrepo"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(type_name("release_notes2"), "ReleaseNotes2");
    }

    #[test]
    fn scaffolds_the_template_with_name_and_sdk() {
        let dir = tempfile::tempdir().unwrap();
        let sdk = Path::new(BUILT_FROM_SDK).canonicalize().unwrap();
        let out = scaffold("notes", Some(dir.path().join("n")), None).unwrap();
        let toml = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
        assert!(toml.contains("name = \"notes\""), "{toml}");
        assert!(
            toml.contains(&format!("path = \"{}\"", sdk.display())),
            "{toml}"
        );
        let lib = std::fs::read_to_string(out.join("src/lib.rs")).unwrap();
        assert!(lib.contains("struct Notes;") && lib.contains("register_phase!(Notes);"));
        assert!(lib.contains("/compose/metadata/notes.json"));
        assert!(!lib.contains("my_phase") && !toml.contains("my_phase"));

        let err = scaffold("notes", Some(out.clone()), None).unwrap_err();
        assert!(err.to_string().contains("not empty"), "{err}");
        let err =
            scaffold("other", Some(dir.path().join("o")), Some("/no/sdk".into())).unwrap_err();
        assert!(format!("{err:#}").contains("--sdk-path"), "{err:#}");
    }
}
