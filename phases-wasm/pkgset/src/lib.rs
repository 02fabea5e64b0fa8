//! Pkgset: every package available to the compose, one copy of each chosen by `sigkeys`,
//! grouped per arch and handed on as the `pkgset` document, and as the smaller
//! `pkgset_index` (the same packages as dependency solving sees them, see
//! `PkgsetDocument::solving_index`) for the phases that need no file lists or
//! changelogs. The packages come from the
//! local repositories of `pkgset_repos` (`pkgset_source = "repos"`: read from their
//! repodata when they have it, from the real RPM headers otherwise) or from a Koji tag
//! (`pkgset_source = "koji"`).

mod koji;
mod repodata_source;
mod repos;
mod sigkeys;
mod sorter;

use pungi_documents::names;
use pungi_phase_sdk::{Context, DigestAlgorithm, Phase, PhaseError, Summary, log, register_phase};
use pungi_repodata::{Checksum, ChecksumKind, Package};

use sorter::Sorter;

struct Pkgset;

impl Phase for Pkgset {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let source: String = ctx.option_or("pkgset_source", "repos".to_owned())?;
        let sigkeys = sigkeys::Sigkeys::read(ctx)?;
        let mut sorter = Sorter::new(ctx.info().arches);
        let origin = match source.as_str() {
            "koji" => koji::collect(ctx, &sigkeys, &mut sorter)?,
            _ => repos::collect(ctx, &sigkeys, &mut sorter)?,
        };
        let document = sorter.document;
        let mut binaries = 0;
        for (arch, packages) in &document.arches {
            log::info(format!("{arch}: {} binary packages", packages.len()));
            binaries += packages.len();
        }
        let sources = document.sources.len();
        ctx.write_document(names::PKGSET, &document)?;
        ctx.write_document(names::PKGSET_INDEX, &document.solving_index())?;
        Ok(Summary::new(format!(
            "{binaries} binary and {sources} source packages from {origin}"
        ))
        .count("binary", binaries as u64)
        .count("source", sources as u64)
        .count("skipped", sorter.skipped))
    }
}

/// The package record of the RPM at `path`; `sha256` when the caller knows it already.
fn read_package(
    ctx: &Context,
    path: &str,
    location: String,
    sha256: Option<String>,
) -> Result<Package, PhaseError> {
    let hex = match sha256 {
        Some(hex) => hex,
        None => ctx
            .digest(path, &[DigestAlgorithm::Sha256])?
            .into_iter()
            .next()
            .unwrap_or_default(),
    };
    Package::read(
        std::path::Path::new(path),
        location,
        Checksum {
            algorithm: ChecksumKind::Sha256,
            hex,
        },
    )
    .map_err(|e| PhaseError::input(e.to_string()))
}

register_phase!(Pkgset);
