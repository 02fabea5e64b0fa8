//! The DSSE envelope (Dead Simple Signing Envelope, v1): the payload travels base64
//! encoded, and what is signed is its pre-authentication encoding (PAE), which binds
//! the payload type to the bytes, so a signed payload cannot be read as another type.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::keys::{PublicKey, Signer};

/// The payload type of an in-toto Statement.
pub const IN_TOTO_PAYLOAD: &str = "application/vnd.in-toto+json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    /// Base64 (standard alphabet, padded) of the payload.
    pub payload: String,
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    pub signatures: Vec<Signature>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signature {
    pub keyid: String,
    /// Base64 of the signature over the PAE.
    pub sig: String,
}

/// `DSSEv1 <len(type)> <type> <len(payload)> <payload>`, lengths in ASCII decimal.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

impl Envelope {
    /// `payload` of type `payload_type`, signed by `signer`.
    pub fn sign(payload_type: &str, payload: &[u8], signer: &Signer) -> Self {
        let signature = signer.sign(&pae(payload_type, payload));
        Envelope {
            payload: STANDARD.encode(payload),
            payload_type: payload_type.to_owned(),
            signatures: vec![Signature {
                keyid: signer.public().keyid.clone(),
                sig: STANDARD.encode(signature),
            }],
        }
    }

    /// The payload, when a signature by `key` verifies over it; otherwise why not.
    pub fn verified_payload(&self, key: &PublicKey) -> Result<Vec<u8>, String> {
        let payload = STANDARD
            .decode(&self.payload)
            .map_err(|e| format!("the payload is not base64: {e}"))?;
        let Some(signature) = self.signatures.iter().find(|s| s.keyid == key.keyid) else {
            let signers: Vec<&str> = self.signatures.iter().map(|s| s.keyid.as_str()).collect();
            return Err(format!(
                "no signature by the trusted key {}; the envelope is signed by [{}]",
                key.keyid,
                signers.join(", ")
            ));
        };
        let bytes = STANDARD
            .decode(&signature.sig)
            .map_err(|e| format!("the signature of key {} is not base64: {e}", key.keyid))?;
        if !key.verifies(&pae(&self.payload_type, &payload), &bytes) {
            return Err(format!(
                "the signature of key {} does not verify: the envelope was changed or signed with another key",
                key.keyid
            ));
        }
        Ok(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_follows_the_dsse_spec() {
        // The example of the DSSE protocol description.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }
}
