//! The createiso options of the compose config, checked up front so a bad value fails
//! the phase with the option's name before any image is made.

use std::collections::BTreeMap;

use pungi_config::{Options, Value, get_arch_variant_data, get_variant_data};
use pungi_media::split::parse_size;
use pungi_media::volid::{DEFAULT_FORMATS, DEFAULT_LAYERED_FORMATS, VolidOptions};
use pungi_phase_sdk::{Context, PhaseError};

/// Pungi's default `image_name_format`.
const DEFAULT_IMAGE_NAME: &str =
    "%(compose_id)s-%(variant)s-%(arch)s-%(disc_type)s%(disc_num)s%(suffix)s";

pub struct CreateisoOptions {
    per_variant: Options,
    /// Bytes of packages and files per disc (`iso_size` minus `split_iso_reserve`).
    pub media_size: u64,
    pub volid: VolidOptions,
    /// `disc_types["dvd"]`, the `disc_type` of names and volume ids.
    pub disc_type: String,
    /// `createiso_use_xorrisofs` (default on here: xorriso is what Debian ships).
    pub xorriso: bool,
    pub base_product_short: String,
    pub base_product_version: String,
}

impl CreateisoOptions {
    pub fn read(ctx: &Context) -> Result<Self, PhaseError> {
        let mut per_variant = Options::new();
        for name in ["createiso_skip", "image_name_format"] {
            if let Some(value) = ctx.option::<Value>(name)? {
                per_variant.insert(name.to_owned(), value);
            }
        }
        let size = |name: &str, default: serde_json::Value| -> Result<u64, PhaseError> {
            let value = ctx.option_or(name, default)?;
            parse_size(name, &value).map_err(PhaseError::config)
        };
        let iso_size = size("iso_size", 4_700_000_000u64.into())?;
        let reserve = match ctx.option::<serde_json::Value>("split_iso_reserve")? {
            Some(serde_json::Value::Number(n)) if n.as_u64() == Some(0) => 0,
            Some(value) => parse_size("split_iso_reserve", &value).map_err(PhaseError::config)?,
            None => 10 << 20,
        };
        if iso_size <= reserve {
            return Err(PhaseError::config(format!(
                "iso_size ({iso_size} bytes) must be larger than split_iso_reserve ({reserve} bytes)"
            )));
        }
        if ctx.option_or("create_jigdo", false)? {
            return Err(PhaseError::config(
                "create_jigdo = True: jigdo files are not made by this build; leave it off (Pungi's default)",
            ));
        }
        let strings = |name: &str, default: &[&str]| -> Result<Vec<String>, PhaseError> {
            Ok(ctx
                .option::<Vec<String>>(name)?
                .unwrap_or_else(|| default.iter().map(|s| s.to_string()).collect()))
        };
        let disc_types: BTreeMap<String, String> = ctx.option_or("disc_types", BTreeMap::new())?;
        Ok(CreateisoOptions {
            per_variant,
            media_size: iso_size - reserve,
            volid: VolidOptions {
                formats: strings("image_volid_formats", DEFAULT_FORMATS)?,
                layered_formats: strings(
                    "image_volid_layered_product_formats",
                    DEFAULT_LAYERED_FORMATS,
                )?,
                substitutions: ctx.option_or("volume_id_substitutions", BTreeMap::new())?,
                restricted: ctx.option_or("restricted_volid", false)?,
            },
            disc_type: disc_types
                .get("dvd")
                .cloned()
                .unwrap_or_else(|| "dvd".into()),
            xorriso: ctx.option_or("createiso_use_xorrisofs", true)?,
            base_product_short: ctx.option_or("base_product_short", String::new())?,
            base_product_version: ctx.option_or("base_product_version", String::new())?,
        })
    }

    /// `createiso_skip`: `[(variant_regex, {arch: True})]`.
    pub fn skip(&self, variant: &str, arch: &str) -> Result<bool, PhaseError> {
        if !self.per_variant.contains_key("createiso_skip") {
            return Ok(false);
        }
        let values =
            get_arch_variant_data(&self.per_variant, "createiso_skip", arch, Some(variant))
                .map_err(|e| PhaseError::config(e.to_string()))?;
        Ok(values.contains(&Value::Bool(true)))
    }

    /// `image_name_format`: one format, or `{variant_regex: format}`.
    pub fn image_name_format(&self, variant: &str) -> Result<String, PhaseError> {
        match self.per_variant.get("image_name_format") {
            None => Ok(DEFAULT_IMAGE_NAME.to_owned()),
            Some(Value::Str(format)) => Ok(format.clone()),
            Some(Value::Dict(_)) => {
                let found = get_variant_data(&self.per_variant, "image_name_format", variant)
                    .map_err(|e| PhaseError::config(e.to_string()))?;
                Ok(found
                    .first()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_else(|| DEFAULT_IMAGE_NAME.to_owned()))
            }
            Some(other) => Err(PhaseError::config(format!(
                "image_name_format: expected a string or a dict, found {}",
                other.type_name()
            ))),
        }
    }
}
