//! ISO volume ids as Pungi forms them: the first of `image_volid_formats` (layered
//! products try `image_volid_layered_product_formats` first) that fits 32 characters
//! after `volume_id_substitutions`, longest pattern first; an error when none fits.

use std::collections::BTreeMap;

/// Pungi's default `image_volid_formats`.
pub const DEFAULT_FORMATS: &[&str] = &[
    "{release_short}-{version} {variant}.{arch}",
    "{release_short}-{version} {arch}",
];

/// Pungi's default `image_volid_layered_product_formats`.
pub const DEFAULT_LAYERED_FORMATS: &[&str] = &[
    "{release_short}-{version} {base_product_short}-{base_product_version} {variant}.{arch}",
    "{release_short}-{version} {base_product_short}-{base_product_version} {arch}",
];

/// The longest an ISO 9660 volume id may be.
pub const MAX_LEN: usize = 32;

/// The options that shape volume ids.
#[derive(Debug, Clone)]
pub struct VolidOptions {
    pub formats: Vec<String>,
    pub layered_formats: Vec<String>,
    pub substitutions: BTreeMap<String, String>,
    /// `restricted_volid`: every character but `[A-Za-z0-9_]` becomes `-`.
    pub restricted: bool,
}

/// The volume id for `args` (release_short, version, variant, arch, disc_type, ...).
pub fn volume_id(
    options: &VolidOptions,
    layered: bool,
    args: &BTreeMap<&str, String>,
) -> Result<String, String> {
    let formats: Vec<&String> = if layered {
        options
            .layered_formats
            .iter()
            .chain(&options.formats)
            .collect()
    } else {
        options.formats.iter().collect()
    };
    let mut tried = Vec::new();
    for format in formats {
        let volid = substitute(options, &crate::subst::format(format, args)?);
        if volid.chars().count() <= MAX_LEN {
            return Ok(if options.restricted {
                volid
                    .chars()
                    .map(|c| {
                        if c.is_alphanumeric() || c == '_' {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect()
            } else {
                volid
            });
        }
        tried.push(volid);
    }
    tried.sort_by_key(|v| v.len());
    Err(format!(
        "no volume id of at most {MAX_LEN} characters: tried {tried:?}; add a shorter \
         format to image_volid_formats or a volume_id_substitutions entry"
    ))
}

fn substitute(options: &VolidOptions, volid: &str) -> String {
    let mut pairs: Vec<(&String, &String)> = options.substitutions.iter().collect();
    pairs.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
    pairs.into_iter().fold(volid.to_owned(), |v, (from, to)| {
        v.replace(from.as_str(), to)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> VolidOptions {
        VolidOptions {
            formats: DEFAULT_FORMATS.iter().map(|s| s.to_string()).collect(),
            layered_formats: DEFAULT_LAYERED_FORMATS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            substitutions: BTreeMap::new(),
            restricted: false,
        }
    }

    fn args(variant: &str) -> BTreeMap<&'static str, String> {
        BTreeMap::from([
            ("release_short", "Demo".to_owned()),
            ("version", "1.0".into()),
            ("variant", variant.into()),
            ("arch", "x86_64".into()),
        ])
    }

    #[test]
    fn falls_back_to_shorter_formats_and_applies_substitutions() {
        let mut o = options();
        assert_eq!(
            volume_id(&o, false, &args("Server")).unwrap(),
            "Demo-1.0 Server.x86_64"
        );
        let long = "Server-optional-and-more";
        assert_eq!(
            volume_id(&o, false, &args(long)).unwrap(),
            "Demo-1.0 x86_64"
        );
        o.substitutions.insert("Server".into(), "S".into());
        o.substitutions
            .insert("Server-optional".into(), "SO".into());
        assert_eq!(
            volume_id(&o, false, &args("Server-optional")).unwrap(),
            "Demo-1.0 SO.x86_64"
        );
        o.restricted = true;
        assert_eq!(
            volume_id(&o, false, &args("Server")).unwrap(),
            "Demo-1-0-S-x86_64"
        );
    }

    #[test]
    fn too_long_everywhere_is_an_error() {
        let mut o = options();
        o.formats = vec!["{release_short}-{version}-a-very-very-long-name {arch}".into()];
        let err = volume_id(&o, false, &args("Server")).unwrap_err();
        assert!(err.contains("at most 32"), "{err}");
    }
}
