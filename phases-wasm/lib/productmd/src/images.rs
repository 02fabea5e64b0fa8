use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::header::{Compose, Header};

/// One image (ISO, qcow2, ...) in the compose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// Relative to `compose/`.
    pub path: String,
    pub mtime: u64,
    pub size: u64,
    pub volume_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub format: String,
    pub arch: String,
    pub disc_number: u32,
    pub disc_count: u32,
    /// Algorithm name to hex digest.
    pub checksums: BTreeMap<String, String>,
    pub implant_md5: Option<String>,
    pub bootable: bool,
    pub subvariant: String,
}

/// `images.json`: variant -> arch -> images, each list sorted by path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Images {
    pub header: Header,
    pub payload: ImagesPayload,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImagesPayload {
    pub compose: Compose,
    pub images: BTreeMap<String, BTreeMap<String, Vec<Image>>>,
}

impl Images {
    pub fn new(compose: Compose) -> Self {
        Images {
            header: Header::new("productmd.images"),
            payload: ImagesPayload {
                compose,
                images: BTreeMap::new(),
            },
        }
    }

    /// Adds an image, keeping each list sorted by path as productmd writes it.
    pub fn add(&mut self, variant: &str, arch: &str, image: Image) {
        let list = self
            .payload
            .images
            .entry(variant.to_owned())
            .or_default()
            .entry(arch.to_owned())
            .or_default();
        list.push(image);
        list.sort_by(|a, b| a.path.cmp(&b.path));
    }
}
