//! The options reference of `docs/configuration.md`, generated from the table so the
//! documentation cannot drift from what is validated.

use std::fmt::Write as _;

use super::model::{DefaultValue, OptionSpec, Status, Support};
use super::options::OPTIONS;

/// Marks the start of the generated part of `docs/configuration.md`.
pub const BEGIN_MARKER: &str =
    "<!-- BEGIN GENERATED OPTIONS: `pungi-wasm config options --markdown` -->";
/// Marks its end.
pub const END_MARKER: &str = "<!-- END GENERATED OPTIONS -->";

/// The reference: one table per phase, in the order phases run, then removed options.
pub fn options_markdown() -> String {
    let mut phases: Vec<&str> = Vec::new();
    for spec in OPTIONS {
        if !phases.contains(&spec.phase) {
            phases.push(spec.phase);
        }
    }
    let mut out = String::new();
    let current = |spec: &&OptionSpec| !matches!(spec.status, Status::Removed(_));
    for phase in phases {
        let specs: Vec<&OptionSpec> = OPTIONS
            .iter()
            .filter(current)
            .filter(|spec| spec.phase == phase)
            .collect();
        if specs.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {phase}\n");
        out.push_str("| option | type | default | implemented | what for |\n");
        out.push_str("| --- | --- | --- | --- | --- |\n");
        for spec in specs {
            let _ = writeln!(
                out,
                "| `{}`{} | {} | {} | {} | {} |",
                spec.name,
                marks(spec),
                cell(&format!("`{}`", spec.ty)),
                default_cell(spec.default),
                support_cell(spec.support),
                cell(spec.summary),
            );
        }
        out.push('\n');
    }
    out.push_str("### removed options\n\n");
    out.push_str(
        "Set to anything true these are errors; set to `False`, `None` or empty, warnings.\n\n",
    );
    out.push_str("| option | phase | instead |\n| --- | --- | --- |\n");
    for spec in OPTIONS {
        if let Status::Removed(instead) = spec.status {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                spec.name,
                spec.phase,
                cell(instead)
            );
        }
    }
    out
}

/// Replaces the generated part of a document that has the markers.
pub fn replace_generated(document: &str) -> Option<String> {
    let start = document.find(BEGIN_MARKER)? + BEGIN_MARKER.len();
    let end = document.find(END_MARKER)?;
    (start <= end).then(|| {
        format!(
            "{}\n\n{}{}",
            &document[..start],
            options_markdown(),
            &document[end..]
        )
    })
}

fn marks(spec: &OptionSpec) -> &'static str {
    match (spec.required, spec.status) {
        (true, _) => " **required**",
        (false, Status::Extension) => " *(pungi-wasm)*",
        _ => "",
    }
}

fn default_cell(default: DefaultValue) -> String {
    match default {
        DefaultValue::None => String::new(),
        DefaultValue::Literal(literal) => cell(&format!("`{literal}`")),
        DefaultValue::Computed(what) => cell(what),
    }
}

fn support_cell(support: Support) -> String {
    match support {
        Support::Yes => "yes".to_owned(),
        Support::Partly(limits) => cell(&format!("partly: {limits}")),
        Support::No => "not yet".to_owned(),
    }
}

/// Escapes what would break a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}
