//! ImageChecksum: checksums of every image in the compose's image manifest (the `images`
//! document other phases add to), written into `images.json` and into CHECKSUM files the
//! way Pungi writes them (`media_checksums`, `media_checksum_one_file`,
//! `media_checksum_base_filename`). Each image is read once, natively, for all digests.

use std::collections::BTreeMap;

use pungi_documents::names;
use pungi_phase_sdk::{
    Context, DigestAlgorithm, MountRole, Phase, PhaseError, Summary, fs, register_phase,
};
use pungi_productmd::{Compose, Images};

struct ImageChecksum;

impl Phase for ImageChecksum {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let compose = ctx.mount_path(&MountRole::Compose)?;
        let mut images = read_images(ctx)?;
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
            .collect::<Result<_, _>>()?;
        let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut count = 0u64;
        for image in images
            .payload
            .images
            .values_mut()
            .flat_map(|a| a.values_mut())
            .flatten()
        {
            let digests = ctx.digest(&format!("{compose}/{}", image.path), &wanted)?;
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
                files.entry(file).or_default().push(line);
            }
            count += 1;
        }
        for (file, mut lines) in files {
            lines.sort();
            fs::write_atomic(&format!("{compose}/{file}"), lines.concat().as_bytes())?;
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

/// The image manifest so far, or an empty one when no phase produced images.
fn read_images(ctx: &Context) -> Result<Images, PhaseError> {
    if let Some(images) = ctx.try_read_document(names::IMAGES)? {
        return Ok(images);
    }
    let info = ctx.info();
    Ok(Images::new(Compose {
        id: info.id,
        kind: info.compose_type,
        date: info.date,
        respin: info.respin,
        label: info.label,
        r#final: None,
    }))
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

fn algorithm(name: &str) -> Result<DigestAlgorithm, PhaseError> {
    Ok(match name {
        "md5" => DigestAlgorithm::Md5,
        "sha1" => DigestAlgorithm::Sha1,
        "sha224" => DigestAlgorithm::Sha224,
        "sha256" => DigestAlgorithm::Sha256,
        "sha384" => DigestAlgorithm::Sha384,
        "sha512" => DigestAlgorithm::Sha512,
        other => {
            return Err(PhaseError::config(format!(
                "media_checksums: unknown algorithm {other:?} (md5, sha1, sha224, sha256, sha384, sha512)"
            )));
        }
    })
}

register_phase!(ImageChecksum);
