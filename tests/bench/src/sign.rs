//! What `compose --sign-key` costs at distribution scale: the signing step of a compose
//! of 70,000 packages per arch (3 variants x 2 arches, as `bench-gather`), against
//! `sha256sum` over the same subject files in the same run.
//!
//! The signer reads only its subjects (images, repomd.xml, .treeinfo, metadata files)
//! and the audit log; packages are pinned through repodata and never read, so the
//! compose generated here has the files the signer reads at their real sizes: an
//! rpms.json listing every package of every variant and arch, the repositories'
//! repomd.xml, two 1 GiB DVD images, and an audit log of the length a 70,000-package
//! compose makes.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use pungi_host::attest::{Attestor, ComposeInputs, Envelope, Signer, write_new_pair};
use pungi_host::audit::{AuditLog, Event, Outcome};
use pungi_host::pipeline::{ComposeReport, PhaseRecord};
use pungi_host::policy::ComponentLock;
use serde::Serialize;
use serde_json::json;

use crate::compose::prepare_compose;

const VARIANTS: [&str; 3] = ["Everything", "Server", "Workstation"];
const ARCHES: [&str; 2] = ["x86_64", "aarch64"];
const IMAGE_MIB: usize = 1024;
/// About what a 70,000-package compose's audit log holds (docs/security.md).
const AUDIT_RECORDS: usize = 1_000;

#[derive(Debug, Serialize)]
pub struct SignReport {
    pub packages_per_arch: usize,
    pub subjects: usize,
    pub subject_mib: f64,
    pub sign_seconds: f64,
    pub sha256sum_seconds: f64,
    pub verify_seconds: f64,
}

impl SignReport {
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "# Signing a compose of {} packages per arch (3 variants x 2 arches)\n",
            self.packages_per_arch
        );
        let _ = writeln!(
            md,
            "{} subjects, {:.0} MiB of subject files.\n",
            self.subjects, self.subject_mib
        );
        let _ = writeln!(md, "| step | time (s) |\n| --- | ---: |");
        let _ = writeln!(
            md,
            "| compose --sign-key: verify the log, digest the subjects, sign, write | {:.2} |",
            self.sign_seconds
        );
        let _ = writeln!(
            md,
            "| sha256sum over the same subject files (baseline) | {:.2} |",
            self.sha256sum_seconds
        );
        let _ = writeln!(
            md,
            "| audit verify --key's attestation check | {:.2} |",
            self.verify_seconds
        );
        md
    }
}

pub fn measure(out: &Path, packages: usize) -> anyhow::Result<SignReport> {
    let dir = out.join(format!("sign-{packages}"));
    let input = dir.join("input");
    if !input.join("demo.conf").is_file() {
        pungi_fixtures::write_demo(&input)?;
    }
    let keys = dir.join("keys");
    if !keys.join("signing-key.pem").is_file() {
        write_new_pair(&keys)?;
    }
    let images = dir.join("images");
    let image_names = write_images(&images)?;
    let target = dir.join("composes");
    let _ = std::fs::remove_dir_all(&target);
    let config = input.join("demo.conf");
    let prepared = prepare_compose(&config, &target)?;
    let compose = prepared.layout.compose();
    let attestor = Attestor::new(
        Signer::read(&keys.join("signing-key.pem"))?,
        ComposeInputs::read(&[config], &input, None, false)?,
    );
    let audit = AuditLog::open(&prepared.layout.audit_log(), &prepared.layout.audit_head())?;
    attestor.record_inputs(&audit)?;
    let report = write_audit_log(&audit, &prepared.facts.id)?;
    drop(audit);
    let lock = ComponentLock {
        components: report
            .phases
            .iter()
            .filter_map(|p| Some((p.name.clone(), p.component.clone()?)))
            .collect(),
    };
    std::fs::write(prepared.layout.components_lock(), lock.to_toml())?;
    write_tree(
        &compose,
        &images,
        &image_names,
        packages,
        &prepared.facts.id,
    )?;

    let envelope_path = compose.join(pungi_host::attest::ATTESTATION);
    let started = Instant::now();
    attestor.seal(&prepared, &report)?;
    let sign_seconds = started.elapsed().as_secs_f64();

    let envelope: Envelope = serde_json::from_slice(&std::fs::read(&envelope_path)?)?;
    let statement: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD.decode(&envelope.payload)?,
    )?;
    let subjects: Vec<String> = statement["subject"]
        .as_array()
        .context("no subjects")?
        .iter()
        .filter_map(|s| s["name"].as_str().map(str::to_owned))
        .collect();
    let subject_bytes: u64 = subjects
        .iter()
        .map(|s| std::fs::metadata(compose.join(s)).map_or(0, |m| m.len()))
        .sum();
    let started = Instant::now();
    let status = Command::new("sha256sum")
        .args(&subjects)
        .current_dir(&compose)
        .stdout(std::process::Stdio::null())
        .status()
        .context("running sha256sum")?;
    if !status.success() {
        bail!("sha256sum failed in {}", compose.display());
    }
    let sha256sum_seconds = started.elapsed().as_secs_f64();

    let public = pungi_host::attest::PublicKey::read(&keys.join("signing-key.pub.json"))?;
    let started = Instant::now();
    pungi_host::attest::verify_attestation(&prepared.layout, &public)?;
    let verify_seconds = started.elapsed().as_secs_f64();
    Ok(SignReport {
        packages_per_arch: packages,
        subjects: subjects.len(),
        subject_mib: subject_bytes as f64 / (1 << 20) as f64,
        sign_seconds,
        sha256sum_seconds,
        verify_seconds,
    })
}

/// Two DVD images of pseudo-random bytes (not sparse, so every byte is read), made
/// once; returns their file names.
fn write_images(dir: &Path) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut names = Vec::new();
    for arch in ARCHES {
        let name = format!("Bench-1.0-Server-{arch}-dvd1.iso");
        let path = dir.join(&name);
        crate::noise::ensure_file(&path, IMAGE_MIB as u64, arch.len() as u64)?;
        names.push(name);
    }
    Ok(names)
}

/// About [`AUDIT_RECORDS`] records of phase runs and calls; returns the report of the
/// phases that made them, with their components.
fn write_audit_log(audit: &AuditLog, compose_id: &str) -> anyhow::Result<ComposeReport> {
    let mut report = ComposeReport::new(compose_id.to_owned());
    let phases = [
        "init",
        "pkgset",
        "gather",
        "createrepo",
        "createiso",
        "image_checksum",
    ];
    let calls = AUDIT_RECORDS / phases.len() / 2;
    for phase in phases {
        let component = pungi_host::audit::digest(phase.as_bytes());
        let event = |operation: &'static str, outcome: Outcome, call: Option<u64>| Event {
            phase,
            component: &component,
            interface: if call.is_some() || outcome == Outcome::Started {
                "files"
            } else {
                "phase"
            },
            operation,
            args: call.is_none().then(|| json!({ "batch": 4096 })),
            call,
            outcome,
            detail: None,
            result_digest: None,
        };
        audit.record(event("start", Outcome::Ok, None))?;
        for _ in 1..calls {
            let intent = audit.record(event("link-many", Outcome::Started, None))?;
            audit.record(event("link-many", Outcome::Ok, Some(intent)))?;
        }
        audit.record(event("end", Outcome::Ok, None))?;
        let mut record = PhaseRecord::new(phase);
        record.component = Some(component.clone());
        report.phases.push(record);
    }
    audit.sync()?;
    Ok(report)
}

/// The files the signer reads: rpms.json with every package, images.json, composeinfo,
/// each tree's repomd.xml and .treeinfo, and the images (hard links to the ones made
/// once).
fn write_tree(
    compose: &Path,
    images: &Path,
    image_names: &[String],
    packages: usize,
    compose_id: &str,
) -> anyhow::Result<()> {
    let mut rpms = serde_json::Map::new();
    for (v, variant) in VARIANTS.iter().enumerate() {
        let mut by_arch = serde_json::Map::new();
        for arch in ARCHES {
            let mut by_srpm = serde_json::Map::new();
            // Everything has every package, the others half each.
            for n in (0..packages).filter(|n| v == 0 || n % 2 == v - 1) {
                let nevra = format!("package{n}-0:1.0-1.{arch}");
                let location =
                    format!("{variant}/{arch}/os/Packages/p/package{n}-1.0-1.{arch}.rpm");
                by_srpm.insert(
                    format!("package{n}-0:1.0-1.src"),
                    json!({ nevra: { "path": location, "sigkey": null, "category": "binary" } }),
                );
            }
            by_arch.insert(arch.to_owned(), by_srpm.into());
            let tree = compose.join(variant).join(arch).join("os");
            std::fs::create_dir_all(tree.join("repodata"))?;
            std::fs::write(
                tree.join("repodata/repomd.xml"),
                format!("<repomd><revision>{packages}</revision></repomd>\n").repeat(40),
            )?;
            std::fs::write(
                tree.join(".treeinfo"),
                format!("[general]\narch = {arch}\n"),
            )?;
        }
        rpms.insert((*variant).to_owned(), by_arch.into());
    }
    let header = |kind: &str| json!({ "type": kind, "version": "1.2" });
    let compose_block =
        json!({ "id": compose_id, "type": "nightly", "date": "20260101", "respin": 0 });
    let metadata = compose.join("metadata");
    std::fs::write(
        metadata.join("rpms.json"),
        serde_json::to_vec(&json!({
            "header": header("productmd.rpms"),
            "payload": { "compose": compose_block, "rpms": rpms },
        }))?,
    )?;
    let mut listed = serde_json::Map::new();
    for (arch, name) in ARCHES.iter().zip(image_names) {
        let iso_dir = compose.join("Server").join(arch).join("iso");
        std::fs::create_dir_all(&iso_dir)?;
        std::fs::hard_link(images.join(name), iso_dir.join(name))?;
        listed.insert(
            (*arch).to_owned(),
            json!([{
                "path": format!("Server/{arch}/iso/{name}"),
                "mtime": 0, "size": IMAGE_MIB << 20, "volume_id": null, "type": "dvd",
                "format": "iso", "arch": arch, "disc_number": 1, "disc_count": 1,
                "checksums": {}, "implant_md5": null, "bootable": false,
                "subvariant": "Server",
            }]),
        );
    }
    std::fs::write(
        metadata.join("images.json"),
        serde_json::to_vec(&json!({
            "header": header("productmd.images"),
            "payload": { "compose": compose_block, "images": { "Server": listed } },
        }))?,
    )?;
    Ok(())
}
