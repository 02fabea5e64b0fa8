//! `media_checksums` names to the host's digest algorithms.

use pungi_phase_sdk::DigestAlgorithm;

/// The algorithm `name` names (md5, sha1, sha224, sha256, sha384, sha512).
pub fn algorithm(name: &str) -> Result<DigestAlgorithm, String> {
    Ok(match name {
        "md5" => DigestAlgorithm::Md5,
        "sha1" => DigestAlgorithm::Sha1,
        "sha224" => DigestAlgorithm::Sha224,
        "sha256" => DigestAlgorithm::Sha256,
        "sha384" => DigestAlgorithm::Sha384,
        "sha512" => DigestAlgorithm::Sha512,
        other => {
            return Err(format!(
                "media_checksums: unknown algorithm {other:?} (md5, sha1, sha224, sha256, sha384, sha512)"
            ));
        }
    })
}
