//! ImageChecksum: checksums of every image in the compose's image manifest (the `images`
//! document other phases add to), written into `images.json` and into CHECKSUM files the
//! way Pungi writes them (`media_checksums`, `media_checksum_one_file`,
//! `media_checksum_base_filename`, with Pungi's substitutions such as `%(variant)s`).
//! Each image is read once, natively, for all digests, and not at all when its record
//! already carries every wanted digest.

use std::collections::{BTreeMap, BTreeSet};

use pungi_documents::names;
use pungi_media::{digest::algorithm, names::format_substs, subst};
use pungi_phase_sdk::{
    Context, DigestAlgorithm, MountRole, Phase, PhaseError, Summary, fs, register_phase,
};
use pungi_productmd::Images;

struct ImageChecksum;

impl Phase for ImageChecksum {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let compose = ctx.mount_path(&MountRole::Compose)?;
        let info = ctx.info();
        let mut images: Images = ctx
            .try_read_document(names::IMAGES)?
            .unwrap_or_else(|| Images::new(pungi_media::header::compose(&info)));
        let algorithms: Vec<String> = ctx.option_or(
            "media_checksums",
            vec!["md5".to_owned(), "sha1".to_owned(), "sha256".to_owned()],
        )?;
        let one_file: bool = ctx.option_or("media_checksum_one_file", false)?;
        let base: String = ctx.option_or("media_checksum_base_filename", String::new())?;
        if one_file && algorithms.len() != 1 {
            return Err(PhaseError::config(
                "media_checksum_one_file needs exactly one algorithm in media_checksums",
            ));
        }
        let wanted: Vec<DigestAlgorithm> = algorithms
            .iter()
            .map(|a| algorithm(a))
            .collect::<Result<_, _>>()
            .map_err(PhaseError::config)?;
        // Source images are listed under every binary arch: each file is hashed once and
        // gets one CHECKSUM line.
        let mut files: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut hashed: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (variant, arches) in images.payload.images.iter_mut() {
            for (arch, list) in arches.iter_mut() {
                for image in list.iter_mut() {
                    let known: Option<Vec<String>> = algorithms
                        .iter()
                        .map(|a| image.checksums.get(a).cloned())
                        .collect();
                    let digests = match known {
                        Some(digests) => digests,
                        None => match hashed.get(&image.path) {
                            Some(digests) => digests.clone(),
                            None => {
                                let digests =
                                    ctx.digest(&format!("{compose}/{}", image.path), &wanted)?;
                                hashed.insert(image.path.clone(), digests.clone());
                                digests
                            }
                        },
                    };
                    let mut substs = format_substs(&info);
                    substs.insert("variant", variant.clone());
                    substs.insert("arch", arch.clone());
                    substs.insert(
                        "dirname",
                        image
                            .path
                            .rsplit_once('/')
                            .map_or("", |(d, _)| d)
                            .to_owned(),
                    );
                    let base = subst::format(&base, &substs).map_err(|e| {
                        PhaseError::config(format!("media_checksum_base_filename: {e}"))
                    })?;
                    let (dir, name) = image
                        .path
                        .rsplit_once('/')
                        .unwrap_or(("", image.path.as_str()));
                    for (algorithm, digest) in algorithms.iter().zip(&digests) {
                        image.checksums.insert(algorithm.clone(), digest.clone());
                        let line = format!("{} ({name}) = {digest}\n", algorithm.to_uppercase());
                        let file = if one_file {
                            checksum_file(dir, &base, "CHECKSUM")
                        } else {
                            checksum_file(dir, &base, &format!("{}SUM", algorithm.to_uppercase()))
                        };
                        files.entry(file).or_default().insert(line);
                    }
                }
            }
        }
        let count = files.values().map(BTreeSet::len).sum::<usize>() as u64
            / algorithms.len().max(1) as u64;
        for (file, lines) in files {
            let text: String = lines.into_iter().collect();
            fs::write_atomic(&format!("{compose}/{file}"), text.as_bytes())?;
        }
        fs::write_json(&format!("{compose}/metadata/images.json"), &images)?;
        ctx.write_document(names::IMAGES, &images)?;
        Ok(Summary::new(format!(
            "{count} images checksummed with {}",
            algorithms.join(", ")
        ))
        .count("images", count))
    }
}

/// `<dir>/<base>CHECKSUM` style names; Pungi prefixes the base filename with a dash.
fn checksum_file(dir: &str, base: &str, name: &str) -> String {
    let prefix = if base.is_empty() {
        String::new()
    } else {
        format!("{base}-")
    };
    if dir.is_empty() {
        format!("{prefix}{name}")
    } else {
        format!("{dir}/{prefix}{name}")
    }
}

register_phase!(ImageChecksum);
