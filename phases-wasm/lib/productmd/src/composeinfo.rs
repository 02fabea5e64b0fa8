use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::header::{Compose, Header};

/// `composeinfo.json`: the compose, its release and every variant with its paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComposeInfo {
    pub header: Header,
    pub payload: ComposeInfoPayload,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComposeInfoPayload {
    pub compose: Compose,
    pub release: Release,
    /// Every variant, children included, keyed by uid.
    pub variants: BTreeMap<String, Variant>,
}

/// The product being composed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub name: String,
    pub version: String,
    pub short: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub is_layered: bool,
    pub internal: bool,
}

/// One variant; children are listed by id in `variants` and stored beside it by uid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub id: String,
    pub uid: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub arches: Vec<String>,
    pub paths: VariantPaths,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub variants: Vec<String>,
}

/// Where each kind of content of a variant lives, per arch, relative to `compose/`.
/// Empty maps are left out, as productmd leaves them out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantPaths {
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub os_tree: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub packages: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub repository: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub isos: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub images: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub source_tree: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub source_packages: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub source_repository: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub source_isos: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub debug_tree: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub debug_packages: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub debug_repository: BTreeMap<String, String>,
}

impl VariantPaths {
    /// The standard Pungi tree layout for a variant (`<Variant>/<arch>/os`, `source/tree`,
    /// `<arch>/debug/tree`), relative to `compose/`.
    pub fn standard(variant_uid: &str, arches: &[String]) -> Self {
        let mut paths = VariantPaths::default();
        for arch in arches {
            let os = format!("{variant_uid}/{arch}/os");
            let debug = format!("{variant_uid}/{arch}/debug/tree");
            let source = format!("{variant_uid}/source/tree");
            let insert = |map: &mut BTreeMap<String, String>, value: String| {
                map.insert(arch.clone(), value);
            };
            insert(&mut paths.os_tree, os.clone());
            insert(&mut paths.packages, format!("{os}/Packages"));
            insert(&mut paths.repository, os);
            insert(&mut paths.isos, format!("{variant_uid}/{arch}/iso"));
            insert(&mut paths.source_tree, source.clone());
            insert(&mut paths.source_packages, format!("{source}/Packages"));
            insert(&mut paths.source_repository, source);
            insert(&mut paths.source_isos, format!("{variant_uid}/source/iso"));
            insert(&mut paths.debug_tree, debug.clone());
            insert(&mut paths.debug_packages, format!("{debug}/Packages"));
            insert(&mut paths.debug_repository, debug);
        }
        paths
    }
}

impl ComposeInfo {
    /// A composeinfo document of the current format.
    pub fn new(compose: Compose, release: Release, variants: BTreeMap<String, Variant>) -> Self {
        ComposeInfo {
            header: Header::new("productmd.composeinfo"),
            payload: ComposeInfoPayload {
                compose,
                release,
                variants,
            },
        }
    }
}
