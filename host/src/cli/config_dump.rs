//! `pungi-wasm config dump`: what `pungi-config-dump` prints, the config as the compose
//! sees it (every option, with Pungi's defaults for those left out) as Python's
//! `json.dump(sort_keys=True, indent=4)` writes it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use pungi_config::load;
use pungi_config::schema::{Severity, validate};
use serde_json::{Map, Value};

use super::{koji_event, pyjson};

/// Prints the config `source` (a config file, or a compose directory whose
/// `logs/global/config-dump.global.log` to read back) resolved. `just_dump`: the
/// options as written, neither checked nor completed with defaults. `freeze_event`
/// sets `koji_event`. Schema errors are printed and exit 1, as `pungi-config-dump`.
pub fn run(source: &Path, freeze_event: Option<&str>, just_dump: bool) -> anyhow::Result<ExitCode> {
    let mut config = if source.is_dir() {
        let file = source.join("logs/global/config-dump.global.log");
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("{}: not a compose directory", source.display()))?;
        serde_json::from_str::<Map<String, Value>>(&text)
            .with_context(|| format!("{}: not a JSON object", file.display()))?
    } else {
        match resolved(source, just_dump)? {
            Ok(config) => config,
            Err(errors) => {
                for error in errors {
                    eprintln!("{error}");
                }
                return Ok(ExitCode::FAILURE);
            }
        }
    };
    if let Some(spec) = freeze_event {
        config.insert("koji_event".into(), koji_event::parse(spec)?.into());
    }
    print!("{}", pyjson::to_string(&Value::Object(config)));
    Ok(ExitCode::SUCCESS)
}

/// The options of config file `path` with the defaults of those it leaves out (none
/// when `just_dump`), or the schema's errors.
fn resolved(
    path: &Path,
    just_dump: bool,
) -> anyhow::Result<Result<Map<String, Value>, Vec<String>>> {
    let loaded = load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut config: Map<String, Value> = loaded
        .options
        .iter()
        .map(|(name, value)| (name.clone(), value.to_json()))
        .collect();
    if just_dump {
        return Ok(Ok(config));
    }
    let report = validate(&loaded);
    if report.has_errors() {
        let errors = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(ToString::to_string)
            .collect();
        return Ok(Err(errors));
    }
    for (name, value) in &report.defaults {
        config
            .entry(name.clone())
            .or_insert_with(|| value.to_json());
    }
    Ok(Ok(config))
}
