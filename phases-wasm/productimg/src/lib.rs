//! Productimg: `product.img`, the installer customization image, for each variant.arch
//! that `productimg` enables: a `.buildstamp`, the `productimg_install_class` file (in
//! `run/install/product/pyanaconda/installclasses/`), the `productimg_po_files`
//! translations compiled by `msgfmt` (to `run/install/product/locale/<lang>/LC_MESSAGES/
//! anaconda.mo`), and `productimg_sources` (the same source forms as `extra_files`),
//! staged in `work/<arch>/product_img/<Variant>/`,
//! made into a filesystem image by an allow-listed tool (`mke2fs -d`, or `mksquashfs`
//! with `productimg_format = "squashfs"`) without mounting anything, and placed at
//! `compose/<Variant>/<arch>/os/images/product.img` where Createiso (and Buildinstall)
//! pick it up.

use std::collections::BTreeMap;

use pungi_config::{Options, Value, get_arch_variant_data};
use pungi_documents::{PkgsetDocument, ProductImage, ProductimgDocument, names};
use pungi_media::sources::{Fetcher, Source};
use pungi_phase_sdk::{
    Command, Context, MountRole, Phase, PhaseError, Summary, fs, register_phase,
};

struct Productimg;

/// The ext2 image's size, as Pungi made it.
const EXT2_SIZE: &str = "5760k";

/// Where anaconda looks for product files inside product.img.
const PRODUCT_DIR: &str = "run/install/product";

impl Phase for Productimg {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let mut document = ProductimgDocument::default();
        if !ctx.option_or("productimg", false)? {
            ctx.write_document(names::PRODUCTIMG, &document)?;
            return Ok(Summary::new("productimg is off"));
        }
        let format: String = ctx.option_or("productimg_format", "ext2".to_owned())?;
        if format != "ext2" && format != "squashfs" {
            return Err(PhaseError::config(format!(
                "productimg_format = {format:?}: expected \"ext2\" or \"squashfs\""
            )));
        }
        let compose = ctx.mount_path(&MountRole::Compose)?;
        let work = ctx.mount_path(&MountRole::Work)?;
        let mut options = Options::new();
        if let Some(value) = ctx.option::<Value>("productimg_sources")? {
            options.insert("productimg_sources".into(), value);
        }
        let install_class: Option<Source> = ctx.option("productimg_install_class")?;
        let po_files: Option<Source> = ctx.option("productimg_po_files")?;
        let pkgset: Option<PkgsetDocument> = ctx.try_read_document(names::PKGSET_INDEX)?;
        let fetcher = Fetcher::new(ctx, pkgset.as_ref())?;
        for variant in info.variants.iter().filter(|v| v.kind == "variant") {
            for arch in &variant.arches {
                let staging = format!("{work}/{arch}/product_img/{}", variant.uid);
                let _ = std::fs::remove_dir_all(&staging);
                let buildstamp = format!(
                    "[Main]\nProduct={}\nVersion={}\nBugURL=\nIsFinal={}\nUUID={}.{arch}\nVariant={}\n",
                    info.release_name,
                    info.release_version,
                    if info.compose_type == "production" {
                        "True"
                    } else {
                        "False"
                    },
                    info.id,
                    variant.uid
                );
                fs::write_atomic(&format!("{staging}/.buildstamp"), buildstamp.as_bytes())?;
                let vars = BTreeMap::from([
                    ("arch", arch.clone()),
                    ("variant_id", variant.id.clone()),
                    ("variant_uid", variant.uid.clone()),
                ]);
                let sources = if options.is_empty() {
                    Vec::new()
                } else {
                    get_arch_variant_data(&options, "productimg_sources", arch, Some(&variant.uid))
                        .map_err(|e| PhaseError::config(e.to_string()))?
                };
                for value in sources {
                    let source: Source = serde_json::from_value(value.to_json()).map_err(|e| {
                        PhaseError::config(format!(
                            "productimg_sources for {}.{arch}: {e}",
                            variant.uid
                        ))
                    })?;
                    fetcher.fetch(&source, arch, &vars, &staging)?;
                }
                if let Some(source) = &install_class {
                    let source = Source {
                        target: format!("{PRODUCT_DIR}/pyanaconda/installclasses"),
                        ..source.clone()
                    };
                    fetcher.fetch(&source, arch, &vars, &staging)?;
                }
                if let Some(source) = &po_files {
                    let po_dir = format!("{work}/{arch}/product_img_po/{}", variant.uid);
                    let _ = std::fs::remove_dir_all(&po_dir);
                    let fetched = fetcher.fetch(source, arch, &vars, &po_dir)?;
                    compile_translations(
                        ctx,
                        &po_dir,
                        &fetched,
                        &format!("{staging}/{PRODUCT_DIR}"),
                    )?;
                }
                let image = format!("{compose}/{}/{arch}/os/images/product.img", variant.uid);
                std::fs::create_dir_all(format!("{compose}/{}/{arch}/os/images", variant.uid))
                    .map_err(|e| PhaseError::io("creating the images directory", e))?;
                let _ = std::fs::remove_file(&image);
                let (program, args) = if format == "squashfs" {
                    (
                        "mksquashfs",
                        vec![
                            staging.clone(),
                            image.clone(),
                            "-noappend".into(),
                            "-all-root".into(),
                            "-no-progress".into(),
                        ],
                    )
                } else {
                    (
                        "mke2fs",
                        vec![
                            "-q".into(),
                            "-t".into(),
                            "ext2".into(),
                            "-L".into(),
                            "product".into(),
                            "-d".into(),
                            staging.clone(),
                            image.clone(),
                            EXT2_SIZE.into(),
                        ],
                    )
                };
                ctx.run_checked(&Command::new(program).args(args))?;
                let size = std::fs::metadata(&image)
                    .map_err(|e| PhaseError::io(format!("reading {image}"), e))?
                    .len();
                document.images.push(ProductImage {
                    variant: variant.uid.clone(),
                    arch: arch.clone(),
                    path: image,
                    size,
                });
            }
        }
        ctx.write_document(names::PRODUCTIMG, &document)?;
        Ok(
            Summary::new(format!("{} product images", document.images.len()))
                .count("images", document.images.len() as u64),
        )
    }
}

/// Compiles each fetched `<lang>.po` into `<product>/locale/<lang>/LC_MESSAGES/anaconda.mo`
/// with `msgfmt`, as Pungi did; anything else among the files (relative to `dir`) is left
/// out.
fn compile_translations(
    ctx: &Context,
    dir: &str,
    fetched: &[String],
    product: &str,
) -> Result<(), PhaseError> {
    let translations: Vec<(&str, &String)> = fetched
        .iter()
        .filter_map(|file| {
            let name = file.rsplit('/').next()?;
            Some((name.strip_suffix(".po")?, file))
        })
        .collect();
    if translations.is_empty() {
        return Err(PhaseError::config(
            "productimg_po_files names no `<lang>.po` file",
        ));
    }
    for (lang, po) in translations {
        let messages = format!("{product}/locale/{lang}/LC_MESSAGES");
        std::fs::create_dir_all(&messages)
            .map_err(|e| PhaseError::io(format!("creating {messages}"), e))?;
        ctx.run_checked(&Command::new("msgfmt").args([
            "--check".to_owned(),
            "-o".to_owned(),
            format!("{messages}/anaconda.mo"),
            format!("{dir}/{po}"),
        ]))?;
    }
    Ok(())
}

register_phase!(Productimg);
