//! The image formats `koji image-build` makes and the file extensions of each (Pungi
//! picks a task's outputs by them); productmd types an image by its format name and
//! gives the extension as its format.

/// Format name to the extensions of its files.
pub const FORMATS: &[(&str, &[&str])] = &[
    ("docker", &["tar.gz", "tar.xz"]),
    ("iso", &["iso"]),
    ("liveimg-squashfs", &["liveimg.squashfs"]),
    ("qcow", &["qcow"]),
    ("qcow2", &["qcow2"]),
    ("raw", &["raw"]),
    ("raw-xz", &["raw.xz"]),
    ("rhevm-ova", &["rhevm.ova"]),
    ("tar-gz", &["tar.gz"]),
    ("vagrant-hyperv", &["vagrant-hyperv.box"]),
    ("vagrant-libvirt", &["vagrant-libvirt.box"]),
    ("vagrant-virtualbox", &["vagrant-virtualbox.box"]),
    ("vagrant-vmware-fusion", &["vagrant-vmware-fusion.box"]),
    ("vdi", &["vdi"]),
    ("vmdk", &["vmdk"]),
    ("vpc", &["vhd"]),
    ("vhd-compressed", &["vhd.gz", "vhd.xz"]),
    ("vsphere-ova", &["vsphere.ova"]),
];

/// The extensions of `format`, or an error listing the formats there are.
pub fn extensions(format: &str) -> Result<&'static [&'static str], String> {
    FORMATS
        .iter()
        .find(|(name, _)| *name == format)
        .map(|(_, ext)| *ext)
        .ok_or_else(|| {
            format!(
                "unknown image-build format {format:?}; koji image-build makes: {}",
                FORMATS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

/// The (format, extension) an output file of one of `formats` is, and its arch: koji
/// names them `<name>-<version>-<release>.<arch>.<extension>`. A format named after the
/// extension wins (`tar-gz` for `.tar.gz` when `docker` is asked for too), then the
/// longest matching extension.
pub fn classify<'a>(
    file: &str,
    formats: &'a [String],
    arches: &[String],
) -> Option<(&'a str, &'static str, String)> {
    let mut best: Option<(&str, &str, String)> = None;
    for format in formats {
        for ext in extensions(format).unwrap_or_default() {
            let Some(stem) = file.strip_suffix(&format!(".{ext}")) else {
                continue;
            };
            let Some(arch) = arches.iter().find(|a| stem.ends_with(&format!(".{a}"))) else {
                continue;
            };
            let score = |f: &str, e: &str| (f == e.replace('.', "-"), e.len());
            if best
                .as_ref()
                .is_none_or(|(f, e, _)| score(f, e) < score(format, ext))
            {
                best = Some((format, ext, arch.clone()));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_map_to_format_extension_and_arch() {
        let formats: Vec<String> = [
            "qcow2",
            "raw-xz",
            "docker",
            "vagrant-libvirt",
            "vpc",
            "tar-gz",
        ]
        .map(String::from)
        .to_vec();
        let arches = vec!["x86_64".to_owned(), "aarch64".to_owned()];
        assert_eq!(
            classify("Cloud-41-1.x86_64.qcow2", &formats, &arches),
            Some(("qcow2", "qcow2", "x86_64".into()))
        );
        assert_eq!(
            classify("Cloud-41-1.aarch64.raw.xz", &formats, &arches),
            Some(("raw-xz", "raw.xz", "aarch64".into()))
        );
        assert_eq!(
            classify("Base-41-1.x86_64.tar.xz", &formats, &arches),
            Some(("docker", "tar.xz", "x86_64".into()))
        );
        assert_eq!(
            classify("Base-41-1.x86_64.tar.gz", &formats, &arches),
            Some(("tar-gz", "tar.gz", "x86_64".into()))
        );
        assert_eq!(
            classify("Vagrant-41-1.x86_64.vagrant-libvirt.box", &formats, &arches),
            Some(("vagrant-libvirt", "vagrant-libvirt.box", "x86_64".into()))
        );
        assert_eq!(
            classify("Azure-41-1.x86_64.vhd", &formats, &arches),
            Some(("vpc", "vhd", "x86_64".into()))
        );
        assert_eq!(classify("createImage.log", &formats, &arches), None);
        assert_eq!(classify("Cloud-41-1.s390x.qcow2", &formats, &arches), None);
        assert!(extensions("floppy").unwrap_err().contains("qcow2"));
    }
}
