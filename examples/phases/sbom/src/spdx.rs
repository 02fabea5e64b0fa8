//! An SPDX 2.3 JSON document for one variant.arch tree: its binary RPMs, the source
//! RPMs they were built from (`GENERATED_FROM`), and `NOASSERTION` where the package
//! metadata does not say.

use std::collections::{BTreeMap, BTreeSet};

use pungi_phase_sdk::documents::Package;
use serde::Serialize;

use crate::license::{ExtractedLicense, Licenses, NOASSERTION, sanitize};

/// An RPM of the tree with the sha256 of its file.
pub struct Rpm<'a> {
    pub package: &'a Package,
    pub sha256: String,
}

/// What names one document.
pub struct Subject<'a> {
    pub compose_id: &'a str,
    pub variant: &'a str,
    pub arch: &'a str,
    /// The distribution in package URLs (`pkg:rpm/<distro>/...`), e.g. `demo`.
    pub distro: &'a str,
    /// A URI prefix; the document's namespace is `<it>/<compose id>/<variant>.<arch>`.
    pub namespace: &'a str,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    pub created: String,
    pub creator: &'a str,
}

/// The document, in SPDX 2.3 JSON's field names.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: String,
    document_namespace: String,
    creation_info: CreationInfo,
    pub packages: Vec<SpdxPackage>,
    pub relationships: Vec<Relationship>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicense>,
}

#[derive(Debug, Serialize)]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
}

/// One RPM as an SPDX package.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpdxPackage {
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    pub name: String,
    pub version_info: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    package_file_name: Option<String>,
    supplier: String,
    download_location: &'static str,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checksums: Vec<SpdxChecksum>,
    license_concluded: &'static str,
    pub license_declared: String,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
}

/// A file digest.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpdxChecksum {
    pub algorithm: &'static str,
    pub checksum_value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
}

/// `element RELATIONSHIP related`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    pub spdx_element_id: String,
    pub relationship_type: &'static str,
    pub related_spdx_element: String,
}

/// The SBOM of `binaries`, linking each to its source RPM among `sources` (or to an
/// SPDX package made from the source RPM's file name when the compose does not ship it).
pub fn document(subject: &Subject<'_>, binaries: &[Rpm<'_>], sources: &[Rpm<'_>]) -> Document {
    let mut ids = Ids::default();
    let mut licenses = Licenses::default();
    let mut packages = Vec::new();
    let mut relationships = Vec::new();
    let sources_by_file: BTreeMap<String, &Rpm<'_>> =
        sources.iter().map(|s| (file_name(s.package), s)).collect();
    let mut source_ids: BTreeMap<String, String> = BTreeMap::new();
    for rpm in binaries {
        let package = rpm_package(subject, rpm, &mut ids, &mut licenses);
        relationships.push(Relationship {
            spdx_element_id: "SPDXRef-DOCUMENT".into(),
            relationship_type: "DESCRIBES",
            related_spdx_element: package.spdx_id.clone(),
        });
        let srpm = &rpm.package.sourcerpm;
        let source_id = if srpm.is_empty() {
            NOASSERTION.to_owned()
        } else if let Some(id) = source_ids.get(srpm) {
            id.clone()
        } else {
            let source = match sources_by_file.get(srpm) {
                Some(source) => rpm_package(subject, source, &mut ids, &mut licenses),
                None => unshipped_source(srpm, &mut ids),
            };
            let id = source.spdx_id.clone();
            packages.push(source);
            source_ids.insert(srpm.clone(), id.clone());
            id
        };
        relationships.push(Relationship {
            spdx_element_id: package.spdx_id.clone(),
            relationship_type: "GENERATED_FROM",
            related_spdx_element: source_id,
        });
        packages.push(package);
    }
    Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name: format!(
            "{} {}.{}",
            subject.compose_id, subject.variant, subject.arch
        ),
        document_namespace: format!(
            "{}/{}/{}.{}",
            subject.namespace.trim_end_matches('/'),
            subject.compose_id,
            subject.variant,
            subject.arch
        ),
        creation_info: CreationInfo {
            created: subject.created.clone(),
            creators: vec![format!("Tool: {}", subject.creator)],
        },
        packages,
        relationships,
        has_extracted_licensing_infos: licenses.into_extracted(),
    }
}

fn rpm_package(
    subject: &Subject<'_>,
    rpm: &Rpm<'_>,
    ids: &mut Ids,
    licenses: &mut Licenses,
) -> SpdxPackage {
    let p = rpm.package;
    let evr = p.evr().to_string();
    let supplier = match p.vendor.trim() {
        "" => NOASSERTION.to_owned(),
        vendor => format!("Organization: {vendor}"),
    };
    SpdxPackage {
        spdx_id: ids.take(&format!("RPM-{}", p.nevra())),
        name: p.name.clone(),
        version_info: evr,
        package_file_name: Some(file_name(p)),
        supplier,
        download_location: NOASSERTION,
        files_analyzed: false,
        checksums: vec![SpdxChecksum {
            algorithm: "SHA256",
            checksum_value: rpm.sha256.clone(),
        }],
        license_concluded: NOASSERTION,
        license_declared: licenses.declared(&p.license),
        copyright_text: NOASSERTION,
        summary: (!p.summary.is_empty()).then(|| p.summary.clone()),
        external_refs: vec![ExternalRef {
            reference_category: "PACKAGE-MANAGER",
            reference_type: "purl",
            reference_locator: purl(subject.distro, p),
        }],
    }
}

/// A source RPM the tree's packages name but the compose does not carry: what its file
/// name says, and nothing more.
fn unshipped_source(file: &str, ids: &mut Ids) -> SpdxPackage {
    let nvr = file.strip_suffix(".src.rpm").unwrap_or(file);
    let mut parts = nvr.rsplitn(3, '-');
    let (name, version_info) = match (parts.next(), parts.next(), parts.next()) {
        (Some(release), Some(version), Some(name)) => (name, format!("{version}-{release}")),
        _ => (nvr, NOASSERTION.to_owned()),
    };
    SpdxPackage {
        spdx_id: ids.take(&format!("SRPM-{nvr}")),
        name: name.to_owned(),
        version_info,
        package_file_name: Some(file.to_owned()),
        supplier: NOASSERTION.to_owned(),
        download_location: NOASSERTION,
        files_analyzed: false,
        checksums: Vec::new(),
        license_concluded: NOASSERTION,
        license_declared: NOASSERTION.to_owned(),
        copyright_text: NOASSERTION,
        summary: None,
        external_refs: Vec::new(),
    }
}

/// The RPM's file name, from its location in the tree.
fn file_name(p: &Package) -> String {
    p.location
        .rsplit('/')
        .next()
        .unwrap_or(&p.location)
        .to_owned()
}

/// `pkg:rpm/<distro>/<name>@<version>-<release>?arch=<arch>[&epoch=<n>]`.
fn purl(distro: &str, p: &Package) -> String {
    let mut purl = format!(
        "pkg:rpm/{}/{}@{}-{}?arch={}",
        encode(&distro.to_lowercase()),
        encode(&p.name),
        encode(&p.version),
        encode(&p.release),
        encode(&p.arch)
    );
    if p.epoch != 0 {
        purl.push_str(&format!("&epoch={}", p.epoch));
    }
    purl
}

/// Percent-encodes what a package URL component may not hold as is (`+` in `libstdc++`).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b".-_~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// SPDX element ids, unique within the document.
#[derive(Default)]
struct Ids {
    taken: BTreeSet<String>,
}

impl Ids {
    fn take(&mut self, wanted: &str) -> String {
        let base = format!("SPDXRef-{}", sanitize(wanted));
        let mut id = base.clone();
        let mut n = 1;
        while !self.taken.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, arch: &str, sourcerpm: &str, license: &str) -> Package {
        Package {
            name: name.into(),
            epoch: u32::from(name == "libstdc++"),
            version: "1.0".into(),
            release: "1".into(),
            arch: arch.into(),
            license: license.into(),
            sourcerpm: sourcerpm.into(),
            location: format!("Packages/{name}-1.0-1.{arch}.rpm"),
            ..Package::default()
        }
    }

    #[test]
    fn binaries_are_described_and_generated_from_their_source() {
        let shipped = package("gcc", "x86_64", "gcc-1.0-1.src.rpm", "GPL-3.0-or-later");
        let libstdcxx = package("libstdc++", "x86_64", "gcc-1.0-1.src.rpm", "");
        let orphan = package("foo", "noarch", "foo-2.0-3.fc40.src.rpm", "MIT");
        let source = package("gcc", "src", "", "GPL-3.0-or-later");
        let rpm = |p| Rpm {
            package: p,
            sha256: "ab".repeat(32),
        };
        let subject = Subject {
            compose_id: "Demo-1.0-20261125.n.0",
            variant: "Server",
            arch: "x86_64",
            distro: "Demo",
            namespace: "https://example.invalid/spdx/",
            created: "2026-11-25T00:00:00Z".into(),
            creator: "test",
        };
        let doc = document(
            &subject,
            &[rpm(&shipped), rpm(&libstdcxx), rpm(&orphan)],
            &[rpm(&source)],
        );
        assert_eq!(
            doc.document_namespace,
            "https://example.invalid/spdx/Demo-1.0-20261125.n.0/Server.x86_64"
        );
        let rel: Vec<_> = doc
            .relationships
            .iter()
            .filter(|r| r.relationship_type == "GENERATED_FROM")
            .map(|r| (r.spdx_element_id.as_str(), r.related_spdx_element.as_str()))
            .collect();
        assert_eq!(
            rel,
            vec![
                ("SPDXRef-RPM-gcc-1.0-1.x86-64", "SPDXRef-RPM-gcc-1.0-1.src"),
                (
                    "SPDXRef-RPM-libstdc---1-1.0-1.x86-64",
                    "SPDXRef-RPM-gcc-1.0-1.src"
                ),
                (
                    "SPDXRef-RPM-foo-1.0-1.noarch",
                    "SPDXRef-SRPM-foo-2.0-3.fc40"
                ),
            ]
        );
        let orphan_source = doc
            .packages
            .iter()
            .find(|p| p.spdx_id == "SPDXRef-SRPM-foo-2.0-3.fc40")
            .unwrap();
        assert_eq!(
            (
                orphan_source.name.as_str(),
                orphan_source.version_info.as_str()
            ),
            ("foo", "2.0-3.fc40")
        );
        assert!(orphan_source.checksums.is_empty());
        let json = serde_json::to_value(&doc).unwrap();
        let cxx = &json["packages"][2];
        assert_eq!(cxx["name"], "libstdc++");
        assert_eq!(cxx["versionInfo"], "1:1.0-1");
        assert_eq!(cxx["licenseDeclared"], "NOASSERTION");
        assert_eq!(
            cxx["externalRefs"][0]["referenceLocator"],
            "pkg:rpm/demo/libstdc%2B%2B@1.0-1?arch=x86_64&epoch=1"
        );
        assert_eq!(cxx["checksums"][0]["algorithm"], "SHA256");
    }
}
