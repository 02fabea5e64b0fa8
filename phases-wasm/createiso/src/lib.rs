//! Createiso: ISO images of every variant.arch binary tree and of the source tree,
//! as Pungi makes them: a volume id within 32 characters (`image_volid_formats`,
//! `volume_id_substitutions`), the tree's packages and repodata on the disc, split over
//! several discs with their own repodata when they exceed `iso_size` minus
//! `split_iso_reserve`, El Torito and isohybrid when the tree has boot files (put there
//! by Buildinstall), the MD5 implanted with implantisomd5, and a record per image in the
//! `images` document that ImageChecksum completes into `images.json`.

mod options;
mod plan;
mod stage;
mod tool;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use pungi_documents::{
    ExtraFilesDocument, GatherDocument, PkgsetDocument, Placed, Tree, TreeKind, names,
};
use pungi_media::{names::format_substs, subst, volid::volume_id};
use pungi_phase_sdk::{
    Context, MountRole, Phase, PhaseError, Progress, Summary, VariantInfo, fs, log, register_phase,
};
use pungi_productmd::{Image, Images};
use pungi_repodata::compose_date_epoch;

use options::CreateisoOptions;
use tool::{Boot, ImageDate};

struct Createiso;

/// One image to make.
struct Job<'a> {
    variant: &'a VariantInfo,
    arch: &'a str,
    tree: &'a Tree,
    /// The tree's packages with their package set records (for their sizes).
    packages: Vec<Placed<'a>>,
}

impl Phase for Createiso {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let compose = ctx.mount_path(&MountRole::Compose)?;
        let work = ctx.mount_path(&MountRole::Work)?;
        let options = CreateisoOptions::read(ctx)?;
        let gather: GatherDocument = ctx.read_document(names::GATHER)?;
        let pkgset: PkgsetDocument = ctx.read_document(names::PKGSET_INDEX)?;
        let extra: ExtraFilesDocument = ctx
            .try_read_document(names::EXTRA_FILES)?
            .unwrap_or_default();
        let mut images: Images = ctx
            .try_read_document(names::IMAGES)?
            .unwrap_or_else(|| Images::new(pungi_media::header::compose(&info)));

        let mut jobs = Vec::new();
        for variant in info
            .variants
            .iter()
            .filter(|v| matches!(v.kind.as_str(), "variant" | "optional" | "layered-product"))
        {
            for arch in variant.arches.iter().map(String::as_str).chain(["src"]) {
                if options.skip(&variant.uid, arch)? {
                    log::info(format!("{}.{arch}: skipped by createiso_skip", variant.uid));
                    continue;
                }
                let kind = if arch == "src" {
                    TreeKind::Source
                } else {
                    TreeKind::Binary
                };
                let tree = gather
                    .trees
                    .iter()
                    .find(|t| t.variant == variant.uid && t.arch == arch && t.kind == kind);
                match tree {
                    Some(tree) if !tree.packages.is_empty() => jobs.push(Job {
                        variant,
                        arch,
                        tree,
                        packages: tree
                            .resolve(&pkgset)
                            .map_err(|e| PhaseError::input(e.to_string()))?,
                    }),
                    _ => log::warn(format!("{}.{arch}: no packages, no ISO", variant.uid)),
                }
            }
        }

        let progress = Progress::begin(jobs.len() as u64, "making ISO images");
        let (mut count, mut bytes) = (0u64, 0u64);
        for job in &jobs {
            for image in make_tree_images(ctx, &info, &options, &extra, job, &compose, &work)? {
                bytes += image.size;
                count += 1;
                if job.arch == "src" {
                    // productmd maps source images under every binary arch of the variant.
                    for arch in &job.variant.arches {
                        images.add(&job.variant.uid, arch, image.clone());
                    }
                } else {
                    images.add(&job.variant.uid, job.arch, image);
                }
            }
            progress.advance(1);
        }
        progress.finish("done");
        ctx.write_document(names::IMAGES, &images)?;
        Ok(
            Summary::new(format!("{count} ISO images, {} MiB", bytes >> 20))
                .count("images", count)
                .count("bytes", bytes),
        )
    }
}

/// The images (one per disc) of one tree.
fn make_tree_images(
    ctx: &Context,
    info: &pungi_phase_sdk::ComposeInfo,
    options: &CreateisoOptions,
    extra: &ExtraFilesDocument,
    job: &Job,
    compose: &str,
    work: &str,
) -> Result<Vec<Image>, PhaseError> {
    let (variant, arch, tree) = (job.variant, job.arch, job.tree);
    let dated = ImageDate {
        date: &info.date,
        epoch: compose_date_epoch(&info.date).ok_or_else(|| {
            PhaseError::internal(format!("compose date {:?} is not YYYYMMDD", info.date))
        })?,
    };
    let sticky: BTreeSet<String> = extra
        .trees
        .iter()
        .filter(|t| t.path == tree.path)
        .flat_map(|t| t.files.iter().map(|f| f.file.clone()))
        .collect();
    let discs = plan::discs(tree, &job.packages, &sticky, options.media_size)?;
    let disc_count = discs.len();
    let mut args = format_substs(info);
    args.insert("variant", variant.uid.clone());
    args.insert("arch", arch.to_owned());
    args.insert("disc_type", options.disc_type.clone());
    args.insert("base_product_short", options.base_product_short.clone());
    args.insert("base_product_version", options.base_product_version.clone());
    let layered = variant.kind == "layered-product" || !options.base_product_short.is_empty();
    let volid = volume_id(&options.volid, layered, &args)
        .map_err(|e| PhaseError::config(format!("{}.{arch}: {e}", variant.uid)))?;
    let iso_dir = if arch == "src" {
        format!("{}/source/iso", variant.uid)
    } else {
        format!("{}/{arch}/iso", variant.uid)
    };
    std::fs::create_dir_all(format!("{compose}/{iso_dir}"))
        .map_err(|e| PhaseError::io(format!("creating {iso_dir}"), e))?;
    let name_format = options.image_name_format(&variant.uid)?;
    let mut repo = None;
    let mut made = Vec::new();
    for (index, disc) in discs.iter().enumerate() {
        let mut name_args = args.clone();
        name_args.insert(
            "arch",
            if arch == "src" {
                "source".into()
            } else {
                arch.into()
            },
        );
        name_args.insert("disc_num", (index + 1).to_string());
        name_args.insert("suffix", ".iso".into());
        let name = subst::format(&name_format, &name_args)
            .map_err(|e| PhaseError::config(format!("image_name_format: {e}")))?;
        let staging = format!("{work}/{arch}/iso/{name}");
        let number = (index + 1, disc_count);
        let packages = stage::stage(ctx, tree, disc, number, &mut repo, &staging)?;
        let boot = boot_of(variant, arch, &staging);
        let iso = format!("{compose}/{iso_dir}/{name}");
        let implant_md5 =
            tool::make_image(ctx, options.xorriso, &volid, boot, &iso, &staging, dated)?;
        write_manifest(&staging, &format!("{iso}.manifest"))?;
        let meta =
            std::fs::metadata(&iso).map_err(|e| PhaseError::io(format!("reading {iso}"), e))?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs());
        log::info(format!(
            "{name}: disc {} of {disc_count}, {packages} packages, {} bytes, volume id {volid:?}{}",
            index + 1,
            meta.len(),
            if boot.any() { ", bootable" } else { "" }
        ));
        made.push(Image {
            path: format!("{iso_dir}/{name}"),
            mtime,
            size: meta.len(),
            volume_id: Some(volid.clone()),
            kind: options.disc_type.clone(),
            format: "iso".into(),
            arch: arch.to_owned(),
            disc_number: index as u32 + 1,
            disc_count: disc_count as u32,
            checksums: BTreeMap::new(),
            implant_md5: Some(implant_md5),
            bootable: boot.any(),
            subvariant: variant.uid.clone(),
        });
    }
    Ok(made)
}

/// Media boot only for top-level variants' binary trees with boot files, as in Pungi.
fn boot_of(variant: &VariantInfo, arch: &str, staging: &str) -> Boot {
    if arch == "src" || variant.kind != "variant" {
        return Boot::default();
    }
    let has = |file: &str| Path::new(&format!("{staging}/{file}")).is_file();
    Boot {
        bios: matches!(arch, "x86_64" | "i386" | "i686") && has("isolinux/isolinux.bin"),
        efi: has("images/efiboot.img"),
    }
}

/// `<image>.manifest`: every path on the disc, sorted, as Pungi lists them with isoinfo.
fn write_manifest(staging: &str, manifest: &str) -> Result<(), PhaseError> {
    fn walk(root: &str, prefix: &str, out: &mut Vec<String>) -> Result<(), PhaseError> {
        let dir = format!("{root}{prefix}");
        for entry in std::fs::read_dir(&dir)
            .map_err(|e| PhaseError::io(format!("listing {dir}"), e))?
            .flatten()
        {
            let path = format!("{prefix}/{}", entry.file_name().to_string_lossy());
            out.push(path.clone());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(root, &path, out)?;
            }
        }
        Ok(())
    }
    let mut paths = Vec::new();
    walk(staging, "", &mut paths)?;
    paths.sort();
    let mut text = paths.join("\n");
    text.push('\n');
    fs::write_atomic(manifest, text.as_bytes())
}

register_phase!(Createiso);
