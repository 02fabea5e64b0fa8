//! The substitutions Pungi offers image names, volume ids and checksum file names
//! (`get_format_substs`).

use std::collections::BTreeMap;

use pungi_phase_sdk::ComposeInfo;

/// `compose_id`, `release_short`, `version`, `date`, `respin`, `type`, `type_suffix`,
/// `label`, `label_major_version`; callers add `variant`, `arch`, `disc_type`, ...
pub fn format_substs(info: &ComposeInfo) -> BTreeMap<&'static str, String> {
    let type_suffix = match info.compose_type.as_str() {
        "nightly" => ".n",
        "test" => ".t",
        "ci" => ".ci",
        _ => "",
    };
    let label = info.label.clone().unwrap_or_default();
    let label_major_version = label
        .split_once('-')
        .map(|(_, version)| version.split('.').next().unwrap_or("").to_owned())
        .unwrap_or_default();
    BTreeMap::from([
        ("compose_id", info.id.clone()),
        ("release_short", info.release_short.clone()),
        ("version", info.release_version.clone()),
        ("date", info.date.clone()),
        ("respin", info.respin.to_string()),
        ("type", info.compose_type.clone()),
        ("type_suffix", type_suffix.to_owned()),
        ("label", label),
        ("label_major_version", label_major_version),
    ])
}
