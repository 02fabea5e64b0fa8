//! Task outputs placed in the compose (verified by the host while downloading) and the
//! productmd image records that list them in `images.json`.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};

use pungi_documents::names;
use pungi_media::iso9660::{SECTOR, primary_volume_id};
use pungi_phase_sdk::{Context, PhaseError};
use pungi_productmd::{Image, Images};

use crate::task::{Finished, Runner};

/// How an image is typed in `images.json`.
#[derive(Debug, Clone)]
pub struct Kind {
    /// productmd's image type (`boot`, `live`, `qcow2`, `raw-xz`, `docker`, ...).
    pub kind: String,
    /// productmd's format (`iso`, `qcow2`, `raw.xz`, `tar.gz`, ...).
    pub format: String,
    pub bootable: bool,
}

/// One image of a deliverable, placed in the compose.
#[derive(Debug, Clone)]
pub struct Placed {
    pub variant: String,
    pub image: Image,
}

/// Downloads task output `file` to `compose/<relative>` and describes it as an image of
/// `arch` in the target's variant.
pub fn fetch(
    runner: &Runner,
    task: u64,
    file: &str,
    target: &Target,
    relative: &str,
    arch: &str,
    kind: &Kind,
) -> Result<Placed, PhaseError> {
    let destination = format!("{}/{relative}", target.compose);
    runner
        .koji
        .download_task_output(task, file, &destination)
        .map_err(PhaseError::from)?;
    Ok(Placed {
        variant: target.variant.to_owned(),
        image: describe(target.compose, relative, arch, target.subvariant, kind)?,
    })
}

/// Where an output goes: the deliverable's variant and subvariant, the compose mount.
pub struct Target<'a> {
    pub compose: &'a str,
    pub variant: &'a str,
    pub subvariant: &'a str,
}

/// Places every output of `task` ending with `.{extension}` whose name carries one of
/// `arches` (`.<arch>.` or `-<arch>-`/`-<arch>.` as Koji names them; any name when the
/// task builds one arch) at
/// `<Variant>/<arch>/<dir>/<name>`, `name` given by `rename(arch, file)`.
#[allow(clippy::too_many_arguments)]
pub fn place_by_arch(
    runner: &Runner,
    task: &Finished,
    target: &Target,
    arches: &[String],
    extension: &str,
    dir: &str,
    kind: &Kind,
    rename: &dyn Fn(&str, &str) -> Result<String, PhaseError>,
) -> Result<Vec<Placed>, PhaseError> {
    let mut placed = Vec::new();
    for output in task.outputs_ending(&[&format!(".{extension}")]) {
        let file = &output.filename;
        let only = match arches {
            [one] => Some(one.as_str()),
            _ => None,
        };
        let Some(arch) = only.or_else(|| arch_of(file, arches)) else {
            continue;
        };
        let relative = format!("{}/{arch}/{dir}/{}", target.variant, rename(arch, file)?);
        placed.push(fetch(runner, task.id, file, target, &relative, arch, kind)?);
    }
    Ok(placed)
}

/// The arch of `arches` a Koji output file name carries.
pub fn arch_of<'a>(file: &str, arches: &'a [String]) -> Option<&'a str> {
    let base = file.rsplit('/').next().unwrap_or(file);
    arches
        .iter()
        .find(|a| {
            [format!(".{a}."), format!("-{a}-"), format!("-{a}.")]
                .iter()
                .any(|p| base.contains(p.as_str()))
        })
        .map(String::as_str)
}

/// The image record of a file already in the compose; ISOs get their volume id.
pub fn describe(
    compose: &str,
    relative: &str,
    arch: &str,
    subvariant: &str,
    kind: &Kind,
) -> Result<Image, PhaseError> {
    let path = format!("{compose}/{relative}");
    let meta =
        std::fs::metadata(&path).map_err(|e| PhaseError::io(format!("reading {path}"), e))?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    let volume_id = if kind.format == "iso" {
        Some(iso_volume_id(&path)?)
    } else {
        None
    };
    Ok(Image {
        path: relative.to_owned(),
        mtime,
        size: meta.len(),
        volume_id,
        kind: kind.kind.clone(),
        format: kind.format.clone(),
        arch: arch.to_owned(),
        disc_number: 1,
        disc_count: 1,
        checksums: BTreeMap::new(),
        implant_md5: None,
        bootable: kind.bootable,
        subvariant: subvariant.to_owned(),
    })
}

/// The volume id in an ISO's primary volume descriptor.
pub fn iso_volume_id(path: &str) -> Result<String, PhaseError> {
    let mut sector = vec![0u8; SECTOR as usize];
    let mut file =
        std::fs::File::open(path).map_err(|e| PhaseError::io(format!("opening {path}"), e))?;
    file.seek(SeekFrom::Start(16 * SECTOR))
        .and_then(|_| file.read_exact(&mut sector))
        .map_err(|e| PhaseError::io(format!("reading the volume descriptor of {path}"), e))?;
    primary_volume_id(&sector).map_err(|e| PhaseError::input(format!("{path}: {e}")))
}

/// Adds `placed` to the `images` document (replacing records of the same path), read
/// and written once so the window for another phase's concurrent update stays short.
pub fn record(ctx: &Context, placed: Vec<Placed>) -> Result<(), PhaseError> {
    if placed.is_empty() {
        return Ok(());
    }
    let info = ctx.info();
    let mut images: Images = ctx
        .try_read_document(names::IMAGES)?
        .unwrap_or_else(|| Images::new(pungi_media::header::compose(&info)));
    for Placed { variant, image } in placed {
        if let Some(list) = images
            .payload
            .images
            .get_mut(&variant)
            .and_then(|arches| arches.get_mut(&image.arch))
        {
            list.retain(|i| i.path != image.path);
        }
        let arch = image.arch.clone();
        images.add(&variant, &arch, image);
    }
    ctx.write_document(names::IMAGES, &images)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_of_koji_names() {
        let arches = vec!["x86_64".to_owned(), "aarch64".to_owned()];
        assert_eq!(arch_of("Live-41-1.x86_64.iso", &arches), Some("x86_64"));
        assert_eq!(
            arch_of("Workstation-Live-aarch64-41-1.iso", &arches),
            Some("aarch64")
        );
        assert_eq!(arch_of("results/images/boot.iso", &arches), None);
        assert_eq!(arch_of("Live-41-1.s390x.iso", &arches), None);
    }
}
