//! Volume ids of the installer images made in Koji (Buildinstall's `boot`,
//! OSTreeInstaller's `ostree`), from the same options Createiso uses.

use std::collections::BTreeMap;

use pungi_media::names::format_substs;
use pungi_media::volid::{DEFAULT_FORMATS, DEFAULT_LAYERED_FORMATS, VolidOptions, volume_id};
use pungi_phase_sdk::{ComposeInfo, Context, PhaseError, VariantInfo};

/// The volume-id options and disc types of the compose config.
pub struct Volids {
    options: VolidOptions,
    disc_types: BTreeMap<String, String>,
    base_product: (String, String),
}

impl Volids {
    /// `image_volid_formats`, `image_volid_layered_product_formats`,
    /// `volume_id_substitutions`, `restricted_volid`, `disc_types`, `base_product_*`.
    pub fn read(ctx: &Context) -> Result<Self, PhaseError> {
        let strings = |name: &str, default: &[&str]| -> Result<Vec<String>, PhaseError> {
            Ok(ctx
                .option::<Vec<String>>(name)?
                .unwrap_or_else(|| default.iter().map(|s| s.to_string()).collect()))
        };
        Ok(Volids {
            options: VolidOptions {
                formats: strings("image_volid_formats", DEFAULT_FORMATS)?,
                layered_formats: strings(
                    "image_volid_layered_product_formats",
                    DEFAULT_LAYERED_FORMATS,
                )?,
                substitutions: ctx.option_or("volume_id_substitutions", BTreeMap::new())?,
                restricted: ctx.option_or("restricted_volid", false)?,
            },
            disc_types: ctx.option_or("disc_types", BTreeMap::new())?,
            base_product: (
                ctx.option_or("base_product_short", String::new())?,
                ctx.option_or("base_product_version", String::new())?,
            ),
        })
    }

    /// `disc_types[kind]`, else `kind`.
    pub fn disc_type(&self, kind: &str) -> String {
        self.disc_types
            .get(kind)
            .cloned()
            .unwrap_or_else(|| kind.to_owned())
    }

    /// The volume id of a `kind` image (`boot`, `ostree`) of `variant` on `arch`.
    pub fn volid(
        &self,
        info: &ComposeInfo,
        variant: &VariantInfo,
        arch: &str,
        kind: &str,
    ) -> Result<String, PhaseError> {
        let mut args = format_substs(info);
        args.insert("variant", variant.uid.clone());
        args.insert("arch", arch.to_owned());
        args.insert("disc_type", self.disc_type(kind));
        args.insert("base_product_short", self.base_product.0.clone());
        args.insert("base_product_version", self.base_product.1.clone());
        let layered = variant.kind == "layered-product" || !self.base_product.0.is_empty();
        volume_id(&self.options, layered, &args)
            .map_err(|e| PhaseError::config(format!("volume id of {}.{arch}: {e}", variant.uid)))
    }
}
