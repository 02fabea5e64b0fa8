//! `.treeinfo`: what an installer (anaconda, `virt-install --location`) reads to boot
//! from a tree or a disc: the release, the tree's arch and variants, the boot images
//! and the checksums of the files it names. productmd's TreeInfo format 1.2, an INI file
//! whose sections and keys are written sorted, with the `[general]` section older
//! installers read, as productmd writes it.

use std::collections::{BTreeMap, BTreeSet};

use ini::{EscapePolicy, Ini, LineSeparator, WriteOption};

use crate::FORMAT_VERSION;

/// The product a tree belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRelease {
    pub name: String,
    pub short: String,
    pub version: String,
}

/// The variant a tree holds, its packages and repository relative to the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeVariant {
    pub id: String,
    pub uid: String,
    pub name: String,
    /// `variant`, `optional`, `layered-product`.
    pub kind: String,
    pub packages: String,
    pub repository: String,
}

/// The boot images of a tree: per platform, image name (`boot.iso`, `kernel`, ...) ->
/// path, and the installer's stage2 images (`mainimage`, `instimage`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BootImages {
    pub platforms: BTreeMap<String, BTreeMap<String, String>>,
    pub stage2: BTreeMap<String, String>,
}

/// One `.treeinfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeInfo {
    pub release: TreeRelease,
    pub arch: String,
    /// Seconds since the epoch.
    pub build_timestamp: u64,
    pub variant: TreeVariant,
    pub images: BootImages,
    /// Path relative to the tree -> `sha256:<hex>`.
    pub checksums: BTreeMap<String, String>,
}

impl BootImages {
    /// The images and stage2 of a `.treeinfo` lorax (buildinstall) wrote.
    pub fn parse(text: &str) -> Result<Self, String> {
        let ini = Ini::load_from_str(text).map_err(|e| format!("not an INI file: {e}"))?;
        let mut images = BootImages::default();
        for (section, properties) in ini.iter() {
            let entries = || {
                properties
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect::<BTreeMap<_, _>>()
            };
            match section {
                Some("stage2") => images.stage2 = entries(),
                Some(name) => {
                    if let Some(platform) = name.strip_prefix("images-") {
                        images.platforms.insert(platform.to_owned(), entries());
                    }
                }
                None => {}
            }
        }
        Ok(images)
    }

    /// Every file the images name, for `[checksums]`.
    pub fn files(&self) -> BTreeSet<&str> {
        self.platforms
            .values()
            .flat_map(BTreeMap::values)
            .chain(self.stage2.values())
            .map(String::as_str)
            .collect()
    }
}

impl TreeInfo {
    /// The file's text.
    pub fn to_ini(&self) -> String {
        let mut sections: BTreeMap<String, BTreeMap<&str, String>> = BTreeMap::new();
        let mut section = |name: &str, entries: Vec<(&'static str, String)>| {
            sections.insert(name.to_owned(), entries.into_iter().collect());
        };
        let platforms = self.platforms().join(", ");
        let variant = &self.variant;
        section(
            "header",
            vec![
                ("type", "productmd.treeinfo".into()),
                ("version", FORMAT_VERSION.into()),
            ],
        );
        section(
            "release",
            vec![
                ("name", self.release.name.clone()),
                ("short", self.release.short.clone()),
                ("version", self.release.version.clone()),
            ],
        );
        section(
            "tree",
            vec![
                ("arch", self.arch.clone()),
                ("build_timestamp", self.build_timestamp.to_string()),
                ("platforms", platforms.clone()),
                ("variants", variant.uid.clone()),
            ],
        );
        section(
            &format!("variant-{}", variant.uid),
            vec![
                ("id", variant.id.clone()),
                ("name", variant.name.clone()),
                ("packages", variant.packages.clone()),
                ("repository", variant.repository.clone()),
                ("type", variant.kind.clone()),
                ("uid", variant.uid.clone()),
            ],
        );
        // What installers older than productmd read.
        section(
            "general",
            vec![
                ("arch", self.arch.clone()),
                ("family", self.release.name.clone()),
                (
                    "name",
                    format!("{} {}", self.release.name, self.release.version),
                ),
                ("packagedir", variant.packages.clone()),
                ("platforms", platforms),
                ("repository", variant.repository.clone()),
                ("timestamp", self.build_timestamp.to_string()),
                ("variant", variant.uid.clone()),
                ("variants", variant.uid.clone()),
                ("version", self.release.version.clone()),
            ],
        );
        for (platform, images) in &self.images.platforms {
            sections.insert(
                format!("images-{platform}"),
                images
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.clone()))
                    .collect(),
            );
        }
        if !self.images.stage2.is_empty() {
            sections.insert(
                "stage2".into(),
                self.images
                    .stage2
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.clone()))
                    .collect(),
            );
        }
        if !self.checksums.is_empty() {
            sections.insert(
                "checksums".into(),
                self.checksums
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.clone()))
                    .collect(),
            );
        }
        write_sorted(
            sections
                .into_iter()
                .map(|(name, entries)| {
                    let entries = entries
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect();
                    (name, entries)
                })
                .collect(),
        )
    }

    /// The platforms the tree boots on: those with images, or its own arch.
    fn platforms(&self) -> Vec<String> {
        if self.images.platforms.is_empty() {
            vec![self.arch.clone()]
        } else {
            self.images.platforms.keys().cloned().collect()
        }
    }
}

/// Sections by name, each its keys and values.
type Sections = BTreeMap<String, BTreeMap<String, String>>;

/// The `.treeinfo` of disc `number` of `total` made from `tree` (the text of the tree's
/// own): a `[media]` section, and only the images and checksums of files the disc
/// holds (`on_disc`), since an image left off it (the netinstall `boot.iso`) cannot
/// be checked or booted from there.
pub fn for_disc(
    tree: &str,
    number: usize,
    total: usize,
    on_disc: impl Fn(&str) -> bool,
) -> Result<String, String> {
    let ini = Ini::load_from_str(tree).map_err(|e| format!("not an INI file: {e}"))?;
    let mut sections: Sections = ini
        .iter()
        .filter_map(|(name, properties)| {
            let entries = properties
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            Some((name?.to_owned(), entries))
        })
        .collect();
    for (name, entries) in sections.iter_mut() {
        if name == "checksums" || name.starts_with("images-") {
            entries.retain(|key, value| {
                let path = if name == "checksums" { key } else { value };
                on_disc(path)
            });
        }
    }
    sections.insert(
        "media".into(),
        BTreeMap::from([
            ("discnum".to_owned(), number.to_string()),
            ("totaldiscs".to_owned(), total.to_string()),
        ]),
    );
    Ok(write_sorted(sections))
}

/// The INI text of `sections`, sorted by section and key, `key = value`, as productmd
/// writes it.
fn write_sorted(sections: Sections) -> String {
    let mut ini = Ini::new();
    for (name, entries) in &sections {
        let mut setter = ini.with_section(Some(name.as_str()));
        for (key, value) in entries {
            setter.set(key.as_str(), value.as_str());
        }
    }
    let mut out = Vec::new();
    let options = WriteOption {
        escape_policy: EscapePolicy::Nothing,
        line_separator: LineSeparator::CR,
        kv_separator: " = ",
    };
    ini.write_to_opt(&mut out, options)
        .expect("writing into memory does not fail");
    String::from_utf8(out).expect("the sections were built from strings")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> TreeInfo {
        TreeInfo {
            release: TreeRelease {
                name: "Demo".into(),
                short: "Demo".into(),
                version: "1.0".into(),
            },
            arch: "x86_64".into(),
            build_timestamp: 1_795_564_800,
            variant: TreeVariant {
                id: "Server".into(),
                uid: "Server".into(),
                name: "Server".into(),
                kind: "variant".into(),
                packages: "Packages".into(),
                repository: ".".into(),
            },
            images: BootImages::default(),
            checksums: BTreeMap::from([("repodata/repomd.xml".into(), "sha256:ab".into())]),
        }
    }

    #[test]
    fn sections_and_keys_come_sorted_as_productmd_writes_them() {
        let text = tree().to_ini();
        let sections: Vec<&str> = text.lines().filter(|l| l.starts_with('[')).collect();
        assert_eq!(
            sections,
            [
                "[checksums]",
                "[general]",
                "[header]",
                "[release]",
                "[tree]",
                "[variant-Server]"
            ]
        );
        assert!(
            text.contains("[header]\ntype = productmd.treeinfo\nversion = 1.2\n"),
            "{text}"
        );
        assert!(text.contains("[tree]\narch = x86_64\nbuild_timestamp = 1795564800\nplatforms = x86_64\nvariants = Server\n"), "{text}");
        assert!(text.contains("repodata/repomd.xml = sha256:ab"), "{text}");
    }

    #[test]
    fn boot_images_of_a_lorax_treeinfo_are_carried_with_the_disc_number() {
        let lorax = "[header]\ntype = productmd.treeinfo\nversion = 1.2\n\n[images-x86_64]\n\
                     boot.iso = images/boot.iso\nkernel = images/pxeboot/vmlinuz\n\n\
                     [stage2]\nmainimage = images/install.img\n";
        let images = BootImages::parse(lorax).unwrap();
        assert_eq!(
            images.files().into_iter().collect::<Vec<_>>(),
            [
                "images/boot.iso",
                "images/install.img",
                "images/pxeboot/vmlinuz"
            ]
        );
        let mut with_images = tree();
        with_images.images = images;
        with_images
            .checksums
            .insert("images/boot.iso".into(), "sha256:cd".into());
        let text = with_images.to_ini();
        assert!(
            text.contains("[images-x86_64]\nboot.iso = images/boot.iso\n"),
            "{text}"
        );
        assert!(
            text.contains("[stage2]\nmainimage = images/install.img\n"),
            "{text}"
        );
        assert!(BootImages::parse("[x\n").is_err());

        let disc = for_disc(&text, 1, 2, |path| path != "images/boot.iso").unwrap();
        assert!(
            disc.contains("[media]\ndiscnum = 1\ntotaldiscs = 2\n"),
            "{disc}"
        );
        assert!(!disc.contains("boot.iso"), "{disc}");
        assert!(disc.contains("kernel = images/pxeboot/vmlinuz"), "{disc}");
        assert!(disc.contains("repodata/repomd.xml = sha256:ab"), "{disc}");
    }
}
