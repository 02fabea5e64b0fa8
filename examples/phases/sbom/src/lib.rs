//! An example third-party phase: an SPDX 2.3 SBOM of every binary variant.arch tree,
//! written to `compose/metadata/sbom/<Variant>.<arch>.spdx.json`.
//!
//! Each binary RPM of the tree is an SPDX package (name, EVR, declared license, sha256
//! of the file, package URL), described by the document and `GENERATED_FROM` its
//! source RPM. The data comes from the `gather` document (which packages are in which
//! tree) and the `pkgset` document (the records Pkgset read from the RPM headers: the
//! lean `pkgset_index` has no licenses or checksums); nothing is read twice.
//!
//! Why SPDX 2.3 and not CycloneDX: RPM `License:` tags are SPDX expressions in Fedora
//! and RHEL, and the distributions publish SPDX SBOMs; the `GENERATED_FROM` relationship
//! says exactly what a source RPM is to its binaries.
//!
//! Its `config` section (all optional):
//! `{"namespace": "https://sbom.example.com/spdx"}`, the URI prefix of each document's
//! namespace (`<namespace>/<compose id>/<variant>.<arch>`).
//!
//! Policy it needs: `dirs = { compose = "rw" }`, `metadata-read = ["gather", "pkgset"]`.

mod license;
mod spdx;

use pungi_phase_sdk::documents::{ChecksumKind, GatherDocument, PkgsetDocument, Tree, TreeKind};
use pungi_phase_sdk::{
    Context, DigestAlgorithm, Phase, PhaseError, Progress, Summary, fs, log, register_phase,
};
use serde::Deserialize;

use crate::spdx::{Rpm, Subject};

/// Where the SBOMs go, under the compose tree.
const SBOM_DIR: &str = "/compose/metadata/sbom";

/// The phase's section of its `custom_phases` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Config {
    /// URI prefix of the documents' namespaces; SPDX wants one the author controls.
    namespace: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            namespace: "https://pungi-wasm.invalid/spdx".to_owned(),
        }
    }
}

struct Sbom;

impl Phase for Sbom {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let config: Config = ctx.phase_config()?.unwrap_or_default();
        if !config.namespace.contains("://") {
            return Err(PhaseError::config(format!(
                "sbom: namespace `{}` is not a URI (e.g. https://sbom.example.com/spdx)",
                config.namespace
            )));
        }
        let info = ctx.info();
        let gather: GatherDocument = ctx.read()?;
        let pkgset: PkgsetDocument = ctx.read()?;
        let binary_trees: Vec<&Tree> = gather
            .trees
            .iter()
            .filter(|t| t.kind == TreeKind::Binary)
            .collect();
        let progress = Progress::begin(binary_trees.len() as u64, "writing SBOMs");
        let mut packages = 0u64;
        for tree in &binary_trees {
            let sources = gather
                .trees
                .iter()
                .filter(|t| t.kind == TreeKind::Source && t.variant == tree.variant);
            let binaries = with_sha256(ctx, tree, &pkgset)?;
            let sources = sources
                .map(|t| with_sha256(ctx, t, &pkgset))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
            let subject = Subject {
                compose_id: &info.id,
                variant: &tree.variant,
                arch: &tree.arch,
                distro: &info.release_short,
                namespace: &config.namespace,
                created: created(&info.date)?,
                creator: concat!("pungi-example-sbom-", env!("CARGO_PKG_VERSION")),
            };
            let document = spdx::document(&subject, &binaries, &sources);
            let path = format!("{SBOM_DIR}/{}.{}.spdx.json", tree.variant, tree.arch);
            fs::write_json(&path, &document)?;
            log::info(format!("{path}: {} packages", binaries.len()));
            packages += binaries.len() as u64;
            progress.advance(1);
        }
        progress.finish("done");
        Ok(
            Summary::new(format!("{} SBOMs, {packages} packages", binary_trees.len()))
                .count("sboms", binary_trees.len() as u64)
                .count("packages", packages),
        )
    }
}

/// The tree's packages with the sha256 of each file: the repodata checksum when the
/// compose uses sha256, else hashed natively by the host.
fn with_sha256<'a>(
    ctx: &Context,
    tree: &'a Tree,
    pkgset: &'a PkgsetDocument,
) -> Result<Vec<Rpm<'a>>, PhaseError> {
    let placed = tree
        .resolve(pkgset)
        .map_err(|e| PhaseError::input(e.to_string()))?;
    placed
        .into_iter()
        .map(|placed| {
            let package = &placed.entry.package;
            let sha256 = if package.checksum.algorithm == ChecksumKind::Sha256 {
                package.checksum.hex.clone()
            } else {
                let path = format!("{}/{}", tree.path, placed.location);
                ctx.digest(&path, &[DigestAlgorithm::Sha256])?
                    .pop()
                    .ok_or_else(|| PhaseError::internal(format!("no sha256 of {path}")))?
            };
            Ok(Rpm { package, sha256 })
        })
        .collect()
}

/// The compose date (`YYYYMMDD`) as SPDX's creation time, so the same compose gives
/// the same document.
fn created(date: &str) -> Result<String, PhaseError> {
    match (date.get(0..4), date.get(4..6), date.get(6..8)) {
        (Some(y), Some(m), Some(d))
            if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(format!("{y}-{m}-{d}T00:00:00Z"))
        }
        _ => Err(PhaseError::input(format!(
            "compose date `{date}` is not YYYYMMDD"
        ))),
    }
}

register_phase!(Sbom);
