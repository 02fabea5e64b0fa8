//! ExtraFiles: the files `extra_files` names (from the config directory, a local git
//! repository at a ref, or a package of the package set) copied into each variant's
//! trees, listed in the tree's `extra_files.json` and in
//! `compose/metadata/extra_files.json` as Pungi writes them. Files are staged in
//! `work/<arch>/extra-files/<Variant>/` first, as Pungi does, then linked into the tree.

use std::collections::BTreeMap;

use pungi_config::{Options, Value, get_arch_variant_data};
use pungi_documents::{ExtraFile, ExtraFilesDocument, ExtraFilesTree, PkgsetDocument, names};
use pungi_media::sources::{Fetcher, Source};
use pungi_phase_sdk::{
    Context, DigestAlgorithm, MountRole, Phase, PhaseError, Summary, fs, register_phase,
};
use pungi_productmd::{Compose, Header};
use serde::Serialize;

struct ExtraFiles;

impl Phase for ExtraFiles {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let compose = ctx.mount_path(&MountRole::Compose)?;
        let work = ctx.mount_path(&MountRole::Work)?;
        let mut options = Options::new();
        if let Some(value) = ctx.option::<Value>("extra_files")? {
            options.insert("extra_files".into(), value);
        }
        let algorithms: Vec<String> = ctx.option_or(
            "media_checksums",
            vec!["md5".to_owned(), "sha1".to_owned(), "sha256".to_owned()],
        )?;
        let digests: Vec<DigestAlgorithm> = algorithms
            .iter()
            .map(|a| pungi_media::digest::algorithm(a))
            .collect::<Result<_, _>>()
            .map_err(PhaseError::config)?;
        let pkgset: Option<PkgsetDocument> = ctx.read_document(names::PKGSET_INDEX).ok();
        let fetcher = Fetcher::new(ctx, pkgset.as_ref())?;
        let mut document = ExtraFilesDocument::default();
        let mut global: BTreeMap<String, BTreeMap<String, Vec<ExtraFile>>> = BTreeMap::new();
        for variant in &info.variants {
            for arch in variant.arches.iter().map(String::as_str).chain(["src"]) {
                let values = if options.is_empty() {
                    Vec::new()
                } else {
                    get_arch_variant_data(&options, "extra_files", arch, Some(&variant.uid))
                        .map_err(|e| PhaseError::config(e.to_string()))?
                };
                if values.is_empty() {
                    continue;
                }
                let tree = if arch == "src" {
                    format!("{}/source/tree", variant.uid)
                } else {
                    format!("{}/{arch}/os", variant.uid)
                };
                let vars = BTreeMap::from([
                    ("arch", arch.to_owned()),
                    ("variant_id", variant.id.clone()),
                    ("variant_id_lower", variant.id.to_lowercase()),
                    ("variant_uid", variant.uid.clone()),
                    ("variant_uid_lower", variant.uid.to_lowercase()),
                ]);
                let staging = format!("{work}/{arch}/extra-files/{}", variant.uid);
                let mut copied = Vec::new();
                for value in values {
                    let source: Source = serde_json::from_value(value.to_json()).map_err(|e| {
                        PhaseError::config(format!("extra_files for {}.{arch}: {e}", variant.uid))
                    })?;
                    copied.extend(fetcher.fetch(&source, arch, &vars, &staging).map_err(|e| {
                        PhaseError {
                            kind: e.kind,
                            message: format!("extra_files for {}.{arch}: {e}", variant.uid),
                        }
                    })?);
                }
                copied.sort();
                copied.dedup();
                let mut files = Vec::new();
                for rel in &copied {
                    let path = format!("{compose}/{tree}/{rel}");
                    ctx.link(&format!("{staging}/{rel}"), &path)?;
                    let size = std::fs::metadata(&path)
                        .map_err(|e| PhaseError::io(format!("reading {path}"), e))?
                        .len();
                    let sums = ctx.digest(&path, &digests)?;
                    files.push(ExtraFile {
                        file: rel.clone(),
                        size,
                        checksums: algorithms.iter().cloned().zip(sums).collect(),
                    });
                }
                fs::write_json(
                    &format!("{compose}/{tree}/extra_files.json"),
                    &TreeMetadata {
                        header: BTreeMap::from([("version", "1.0")]),
                        data: &files,
                    },
                )?;
                global.entry(variant.uid.clone()).or_default().insert(
                    arch.to_owned(),
                    files
                        .iter()
                        .map(|f| ExtraFile {
                            file: format!("{tree}/{}", f.file),
                            ..f.clone()
                        })
                        .collect(),
                );
                document.trees.push(ExtraFilesTree {
                    variant: variant.uid.clone(),
                    arch: arch.to_owned(),
                    path: format!("{compose}/{tree}"),
                    files,
                });
            }
        }
        let count: usize = document.trees.iter().map(|t| t.files.len()).sum();
        fs::write_json(
            &format!("{compose}/metadata/extra_files.json"),
            &Metadata {
                header: Header::new("productmd.extra_files"),
                payload: Payload {
                    compose: pungi_media::header::compose(&info),
                    extra_files: global,
                },
            },
        )?;
        ctx.write_document(names::EXTRA_FILES, &document)?;
        Ok(Summary::new(format!(
            "{count} extra files in {} trees",
            document.trees.len()
        ))
        .count("files", count as u64)
        .count("trees", document.trees.len() as u64))
    }
}

/// A tree's `extra_files.json`, as productmd's `dump_for_tree` writes it.
#[derive(Serialize)]
struct TreeMetadata<'a> {
    data: &'a [ExtraFile],
    header: BTreeMap<&'static str, &'static str>,
}

/// `compose/metadata/extra_files.json` (productmd `ExtraFiles`).
#[derive(Serialize)]
struct Metadata {
    header: Header,
    payload: Payload,
}

#[derive(Serialize)]
struct Payload {
    compose: Compose,
    extra_files: BTreeMap<String, BTreeMap<String, Vec<ExtraFile>>>,
}

register_phase!(ExtraFiles);
