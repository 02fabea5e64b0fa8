//! Image checks: every ISO of the `images` document has the size its record says, a
//! valid primary volume descriptor with its volume id, an El Torito boot catalog and an
//! isohybrid MBR when it claims to boot, and an implanted MD5 that `checkisomd5`
//! verifies. Headers are read natively with a few small reads; checkisomd5 reads the
//! image on the host.

use std::io::{Read, Seek, SeekFrom};

use pungi_media::iso9660::{self, SECTOR};
use pungi_phase_sdk::{Context, Invocation, PhaseError};
use pungi_productmd::{Image, Images};
use serde::Serialize;

/// The outcome of one image's checks, for the `test` document and the log.
#[derive(Serialize)]
pub struct ImageReport {
    pub image: String,
    pub problems: Vec<String>,
}

/// Checks every ISO image; problems are reported, never raised.
pub fn check_all(ctx: &Context, compose: &str, images: &Images) -> Vec<ImageReport> {
    // Source images are listed under every binary arch; each file is checked once.
    let mut seen = std::collections::BTreeSet::new();
    images
        .payload
        .images
        .values()
        .flat_map(|a| a.values())
        .flatten()
        .filter(|i| i.format == "iso" && seen.insert(i.path.clone()))
        .map(|image| ImageReport {
            image: image.path.clone(),
            problems: check(ctx, &format!("{compose}/{}", image.path), image)
                .err()
                .unwrap_or_default(),
        })
        .collect()
}

fn check(ctx: &Context, path: &str, image: &Image) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let mut file = std::fs::File::open(path).map_err(|e| vec![format!("cannot open: {e}")])?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size != image.size {
        problems.push(format!(
            "size is {size} bytes, images.json says {}",
            image.size
        ));
    }
    let mut read = |offset: u64, len: usize| -> Result<Vec<u8>, String> {
        let mut buf = vec![0u8; len];
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(&mut buf))
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => {
                    format!(
                        "the file is shorter than its ISO 9660 header ({} bytes needed)",
                        offset + len as u64
                    )
                }
                _ => format!("reading {len} bytes at {offset}: {e}"),
            })?;
        Ok(buf)
    };
    match read(16 * SECTOR, SECTOR as usize).and_then(|s| iso9660::primary_volume_id(&s)) {
        Ok(volid) if Some(&volid) != image.volume_id.as_ref() => problems.push(format!(
            "volume id is {volid:?}, images.json says {:?}",
            image.volume_id
        )),
        Ok(_) => {}
        Err(e) => problems.push(e),
    }
    if image.bootable {
        let catalog = read(17 * SECTOR, SECTOR as usize)
            .and_then(|s| iso9660::el_torito_catalog(&s))
            .and_then(|lba| read(u64::from(lba) * SECTOR, 64))
            .and_then(|c| iso9660::check_boot_catalog(&c));
        if let Err(e) = catalog {
            problems.push(format!("claims to boot: {e}"));
        }
        if matches!(image.arch.as_str(), "x86_64" | "i386" | "i686")
            && let Err(e) = read(0, 512).and_then(|m| iso9660::check_isohybrid(&m))
        {
            problems.push(format!("claims to boot: {e}"));
        }
    }
    // checkisomd5 spins forever on some files that are not ISO images at all, so it only
    // runs on images whose header and size are right, and under a time limit.
    if image.implant_md5.is_some() && problems.is_empty() {
        match verify_md5(ctx, path) {
            Ok(None) => {}
            Ok(Some(problem)) => problems.push(problem),
            Err(e) => problems.push(format!("checkisomd5 could not run: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Time allowed to `checkisomd5`: it reads the image once, at disk speed.
const CHECKISOMD5_TIMEOUT_MS: u64 = 10 * 60 * 1000;

/// `checkisomd5` exits 0 when the implanted MD5 matches, 1 when it does not, 2 when
/// there is none.
fn verify_md5(ctx: &Context, path: &str) -> Result<Option<String>, PhaseError> {
    let out = ctx.run_command(&Invocation {
        program: "checkisomd5".into(),
        args: vec![path.to_owned()],
        cwd: None,
        env: Vec::new(),
        timeout_ms: Some(CHECKISOMD5_TIMEOUT_MS),
    })?;
    Ok(match out.exit_code {
        Some(0) => None,
        Some(2) => Some("checkisomd5: no implanted MD5".into()),
        code => Some(format!(
            "checkisomd5: the implanted MD5 does not match the image (exit {code:?})"
        )),
    })
}
