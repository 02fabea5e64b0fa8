//! RPM `License:` tags as SPDX license expressions.
//!
//! Fedora and RHEL packages carry SPDX expressions; older ones carry Fedora's own short
//! names (`GPLv2+`). An expression that parses is kept as written; its `LicenseRef-`s
//! and anything that does not parse become extracted licensing infos, so the document
//! stays valid and the original text is not lost.

use std::collections::BTreeMap;

use serde::Serialize;

/// A license an SBOM names that is not on the SPDX list, with the text it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtractedLicense {
    pub license_id: String,
    pub name: String,
    pub extracted_text: String,
}

/// The license expressions of one document and the non-list licenses they use.
#[derive(Debug, Default)]
pub struct Licenses {
    extracted: BTreeMap<String, ExtractedLicense>,
}

/// SPDX's "we do not know".
pub const NOASSERTION: &str = "NOASSERTION";

impl Licenses {
    /// The `licenseDeclared` value for an RPM's `License:` tag.
    pub fn declared(&mut self, rpm_license: &str) -> String {
        let text = rpm_license.trim();
        if text.is_empty() {
            return NOASSERTION.to_owned();
        }
        let refs = spdx::Expression::parse(text)
            .ok()
            .and_then(|e| local_refs(&e));
        match refs {
            Some(refs) => {
                for lic_ref in refs {
                    let id = format!("LicenseRef-{lic_ref}");
                    self.extract(&id, &lic_ref, &format!("{id}, as the RPM header names it"));
                }
                text.to_owned()
            }
            None => {
                let id = format!("LicenseRef-rpm-{}", sanitize(text));
                self.extract(&id, text, text);
                id
            }
        }
    }

    fn extract(&mut self, id: &str, name: &str, text: &str) {
        self.extracted
            .entry(id.to_owned())
            .or_insert_with(|| ExtractedLicense {
                license_id: id.to_owned(),
                name: name.to_owned(),
                extracted_text: text.to_owned(),
            });
    }

    /// The `hasExtractedLicensingInfos` list, sorted by id.
    pub fn into_extracted(self) -> Vec<ExtractedLicense> {
        self.extracted.into_values().collect()
    }
}

/// The `LicenseRef-`s of an expression, or `None` when it uses what SPDX 2.3 cannot
/// resolve inside one document (a `DocumentRef-`, or an `AdditionRef-` exception).
fn local_refs(expression: &spdx::Expression) -> Option<Vec<String>> {
    let mut refs = Vec::new();
    for req in expression.requirements() {
        if let Some(spdx::AdditionItem::Other(_)) = &req.req.addition {
            return None;
        }
        if let spdx::LicenseItem::Other(other) = &req.req.license {
            if other.doc_ref.is_some() {
                return None;
            }
            refs.push(other.lic_ref.clone());
        }
    }
    Some(refs)
}

/// `[A-Za-z0-9.-]` kept, anything else `-`: what SPDX allows after `LicenseRef-`
/// and `SPDXRef-`.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spdx_expressions_are_kept_and_refs_extracted() {
        let mut licenses = Licenses::default();
        assert_eq!(
            licenses.declared("GPL-3.0-or-later WITH GCC-exception-3.1 AND MIT"),
            "GPL-3.0-or-later WITH GCC-exception-3.1 AND MIT"
        );
        assert_eq!(
            licenses.declared("LicenseRef-Fedora-Public-Domain"),
            "LicenseRef-Fedora-Public-Domain"
        );
        assert_eq!(licenses.declared("GPLv2+"), "LicenseRef-rpm-GPLv2-");
        assert_eq!(licenses.declared(" "), NOASSERTION);
        let ids: Vec<_> = licenses
            .into_extracted()
            .into_iter()
            .map(|e| (e.license_id, e.extracted_text))
            .collect();
        assert_eq!(
            ids,
            vec![
                (
                    "LicenseRef-Fedora-Public-Domain".to_owned(),
                    "LicenseRef-Fedora-Public-Domain, as the RPM header names it".to_owned()
                ),
                ("LicenseRef-rpm-GPLv2-".to_owned(), "GPLv2+".to_owned()),
            ]
        );
    }
}
