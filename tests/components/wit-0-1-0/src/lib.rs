//! A phase built straight against the released `wit/since_v0.1.0` (no SDK), as components
//! built before 0.1.1 were. The host now implements 0.1.1; this one must still load, link
//! a file with 0.1.0's `files.link` and report, through wasmtime's semver-compatible
//! linking of `pungi:phase/...@0.1.0` imports to the host's 0.1.1 definitions.

wit_bindgen::generate!({
    path: "../../../wit/since_v0.1.0",
    world: "phase",
});

use pungi::phase::types::ErrorKind;
use pungi::phase::{compose, files, log};

struct Legacy;

impl Guest for Legacy {
    fn run() -> Result<Summary, PhaseError> {
        let failed = |message: String| PhaseError {
            kind: ErrorKind::Capability,
            message,
        };
        let root = compose::mounts()
            .into_iter()
            .find(|m| matches!(m.role, compose::MountRole::Compose))
            .ok_or_else(|| failed("no compose mount".into()))?;
        let source = format!("{}/legacy-source", root.path);
        std::fs::write(&source, b"0.1.0").map_err(|e| failed(e.to_string()))?;
        files::link(&source, &format!("{}/legacy-linked", root.path))
            .map_err(|e| failed(format!("{e:?}")))?;
        log::write(log::Level::Info, "a 0.1.0 phase linked a file");
        Ok(Summary {
            message: "linked with pungi:phase@0.1.0".into(),
            counts: vec![("links".into(), 1)],
        })
    }
}

export!(Legacy);
