//! `--koji-event`: an event ID, or a compose whose event to reuse, as `pungi-koji` reads it.

use std::path::Path;

use anyhow::Context as _;

/// The Koji event `spec` names: a number, or the directory of a compose whose
/// `work/global/koji-event` (`{"id": ...}`, which Pungi's pkgset writes) holds one.
pub fn parse(spec: &str) -> anyhow::Result<u64> {
    if let Ok(id) = spec.parse::<u64>() {
        return Ok(id);
    }
    let file = Path::new(spec).join("work/global/koji-event");
    let text = std::fs::read_to_string(&file).with_context(|| {
        format!(
            "--koji-event {spec}: not a number, and {} cannot be read",
            file.display()
        )
    })?;
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|event| event.get("id")?.as_u64())
        .with_context(|| format!("--koji-event {spec}: {} has no event `id`", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_or_a_compose_with_an_event() {
        assert_eq!(parse("123").unwrap(), 123);
        let dir = tempfile::tempdir().unwrap();
        let global = dir.path().join("work/global");
        std::fs::create_dir_all(&global).unwrap();
        let spec = dir.path().to_str().unwrap();
        assert!(parse(spec).unwrap_err().to_string().contains("koji-event"));
        std::fs::write(global.join("koji-event"), r#"{"id": 42, "ts": 1.5}"#).unwrap();
        assert_eq!(parse(spec).unwrap(), 42);
        std::fs::write(global.join("koji-event"), "{}").unwrap();
        assert!(
            parse(spec)
                .unwrap_err()
                .to_string()
                .contains("no event `id`")
        );
    }
}
