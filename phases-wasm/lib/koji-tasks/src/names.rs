//! Image file names from `image_name_format`, as Pungi's `get_image_name` forms them
//! for images it renames (netinst `boot.iso`, live images).

use pungi_media::{names::format_substs, subst};
use pungi_phase_sdk::{ComposeInfo, PhaseError};

use crate::blocks::Config;

/// Pungi's default `image_name_format`.
pub const DEFAULT_IMAGE_NAME: &str =
    "%(compose_id)s-%(variant)s-%(arch)s-%(disc_type)s%(disc_num)s%(suffix)s";

/// `image_name_format` for `variant`: one format, or `{variant_regex: format}`.
pub fn image_name_format(config: &Config, variant: &str) -> Result<String, PhaseError> {
    Ok(match config.value("image_name_format")? {
        None => DEFAULT_IMAGE_NAME.to_owned(),
        Some(serde_json::Value::String(format)) => format,
        Some(serde_json::Value::Object(_)) => config
            .variant_values("image_name_format", variant)?
            .into_iter()
            .find_map(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| DEFAULT_IMAGE_NAME.to_owned()),
        Some(other) => {
            return Err(PhaseError::config(format!(
                "image_name_format: expected a string or a dict, found {other}"
            )));
        }
    })
}

/// The name of a single-disc image of `variant` on `arch` (`disc_num` empty) in
/// `format`.
pub fn image_name(
    info: &ComposeInfo,
    format: &str,
    variant: &str,
    arch: &str,
    disc_type: &str,
    suffix: &str,
) -> Result<String, PhaseError> {
    let mut args = format_substs(info);
    args.insert("variant", variant.to_owned());
    args.insert("arch", arch.to_owned());
    args.insert("disc_type", disc_type.to_owned());
    args.insert("disc_num", String::new());
    args.insert("suffix", suffix.to_owned());
    subst::format(format, &args).map_err(|e| PhaseError::config(format!("image_name_format: {e}")))
}
