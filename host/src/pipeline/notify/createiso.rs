//! The createiso messages. Pungi sends `createiso-targets` before it makes the images and
//! `createiso-imagedone` or `createiso-imagefail` as each one ends. Createiso here runs
//! sealed in its sandbox and cannot call out, so the host reads what it made from the
//! `images` document when it ends and sends the same messages then, still between the
//! phase's `phase-start` and `phase-stop`.

use std::collections::BTreeSet;
use std::path::Path;

use pungi_productmd::Images;
use serde_json::{Map, Value, json};

use crate::capabilities::DocumentStore;
use crate::pipeline::FailedDeliverable;

/// The document Createiso records its images in.
const IMAGES: &str = "images";

/// The createiso messages, in Pungi's order: the targets, each image made, each failed.
/// Createiso's images are the ISOs of its disc type (`disc_types["dvd"]`, else `dvd`),
/// which no other phase uses; `failed` are the deliverables Createiso reported failing,
/// whose file it does not name (`file` is null).
pub fn messages(
    documents: &DocumentStore,
    config: &Map<String, Value>,
    compose_dir: &Path,
    failed: &[FailedDeliverable],
) -> Vec<(&'static str, Value)> {
    let kind = config
        .get("disc_types")
        .and_then(|types| types.get("dvd"))
        .and_then(Value::as_str)
        .unwrap_or("dvd");
    let images: Option<Images> = documents
        .load(IMAGES)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    let mut seen = BTreeSet::new();
    let mut done = Vec::new();
    for by_arch in images.iter().flat_map(|i| i.payload.images.iter()) {
        let (variant, lists) = by_arch;
        for image in lists.values().flatten() {
            // Source images are listed under every binary arch of their variant.
            if image.format == "iso" && image.kind == kind && seen.insert(&image.path) {
                let file = compose_dir.join(&image.path);
                done.push((file, image.arch.clone(), variant.clone()));
            }
        }
    }
    let targets: Vec<&Path> = done.iter().map(|(file, _, _)| file.as_path()).collect();
    let mut messages = vec![("createiso-targets", json!({ "deliverables": targets }))];
    for (file, arch, variant) in &done {
        messages.push((
            "createiso-imagedone",
            json!({ "file": file, "arch": arch, "variant": variant }),
        ));
    }
    for failure in failed {
        messages.push((
            "createiso-imagefail",
            json!({ "file": null, "arch": failure.arch, "variant": failure.variant }),
        ));
    }
    messages
}
