//! The signing key pair, in formats an auditor's own tools read without pungi-wasm:
//!
//! - the private key is PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), what `openssl genpkey
//!   -algorithm ed25519` writes and Python's `cryptography` (securesystemslib's
//!   `CryptoSigner`) loads;
//! - the public key is securesystemslib's key JSON (`keytype`, `scheme`, `keyval.public`
//!   as hex) with its `keyid`, which in-toto's `verify_signature` and
//!   `SSlibKey.from_dict` take as is. The keyid is securesystemslib's default: the
//!   sha256 of the canonical JSON of the key, so a verifier deriving it gets the same.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// securesystemslib's key type and signature scheme for ed25519.
const ED25519: &str = "ed25519";

/// No key file comes near this; a bigger one is not read.
const MAX_KEY_FILE: u64 = 64 << 10;

/// The private key a compose is signed with.
pub struct Signer {
    key: SigningKey,
    public: PublicKey,
}

impl Signer {
    /// Reads the key at `path`; the error names the file and the format expected.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = read_small(path, "private key")?;
        let key = SigningKey::from_pkcs8_pem(&text).map_err(|e| {
            anyhow::anyhow!(
                "{}: not an ed25519 private key: expected PKCS#8 PEM (-----BEGIN PRIVATE KEY-----) as `pungi-wasm key new` writes ({e})",
                path.display()
            )
        })?;
        Ok(Self::from_key(key))
    }

    fn from_key(key: SigningKey) -> Self {
        let public = PublicKey::of(key.verifying_key());
        Signer { key, public }
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The ed25519 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// A public key an auditor trusts, with the keyid signatures name it by.
#[derive(Debug, Clone)]
pub struct PublicKey {
    pub keyid: String,
    key: VerifyingKey,
}

/// The public key file: securesystemslib's key dict with its keyid.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicKeyFile {
    keyid: String,
    keytype: String,
    scheme: String,
    keyval: KeyValue,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyValue {
    public: String,
}

impl PublicKey {
    fn of(key: VerifyingKey) -> Self {
        PublicKey {
            keyid: default_keyid(&key),
            key,
        }
    }

    /// Reads the public key file at `path`; the error names the file and what was expected.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = read_small(path, "public key")?;
        let expected = "securesystemslib key JSON ({\"keyid\", \"keytype\": \"ed25519\", \"scheme\": \"ed25519\", \"keyval\": {\"public\": HEX}}) as `pungi-wasm key new` writes";
        let file: PublicKeyFile = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{}: not a public key: expected {expected} ({e})",
                path.display()
            )
        })?;
        if file.keytype != ED25519 || file.scheme != ED25519 {
            bail!(
                "{}: a {} key with scheme {}; only ed25519 keys are supported",
                path.display(),
                file.keytype,
                file.scheme
            );
        }
        let bytes: [u8; 32] = hex::decode(&file.keyval.public)
            .ok()
            .and_then(|b| b.try_into().ok())
            .with_context(|| {
                format!(
                    "{}: keyval.public must be 32 bytes in hex (64 hex digits)",
                    path.display()
                )
            })?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|e| anyhow::anyhow!("{}: not an ed25519 public key: {e}", path.display()))?;
        Ok(PublicKey {
            keyid: file.keyid,
            key,
        })
    }

    /// The key file's text.
    pub fn to_json(&self) -> String {
        let file = PublicKeyFile {
            keyid: self.keyid.clone(),
            keytype: ED25519.into(),
            scheme: ED25519.into(),
            keyval: KeyValue {
                public: hex::encode(self.key.as_bytes()),
            },
        };
        serde_json::to_string_pretty(&file).expect("a key serializes") + "\n"
    }

    /// Whether `signature` is this key's (strict ed25519 verification) over `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        ed25519_dalek::Signature::from_slice(signature)
            .is_ok_and(|s| self.key.verify(message, &s).is_ok())
    }
}

/// securesystemslib's default keyid: the sha256 of the key's canonical JSON (sorted keys,
/// no whitespace; every value here is plain ASCII, so no escaping is needed).
fn default_keyid(key: &VerifyingKey) -> String {
    let canonical = format!(
        r#"{{"keytype":"{ED25519}","keyval":{{"public":"{}"}},"scheme":"{ED25519}"}}"#,
        hex::encode(key.as_bytes())
    );
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

fn read_small(path: &Path, what: &str) -> anyhow::Result<String> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("{what} {}", path.display()))?
        .len();
    if size > MAX_KEY_FILE {
        bail!(
            "{}: {size} bytes is not a {what} file (at most {MAX_KEY_FILE})",
            path.display()
        );
    }
    std::fs::read_to_string(path)
        .with_context(|| format!("reading {what} {}: expected a text file", path.display()))
}

/// The files `pungi-wasm key new --out DIR` writes.
pub struct KeyPairPaths {
    pub private: PathBuf,
    pub public: PathBuf,
}

/// Makes a new key pair in `dir` (created if missing): `signing-key.pem` (mode 0600) and
/// `signing-key.pub.json`. An existing file is never overwritten: a lost private key
/// cannot be made again, and the public one may be what auditors already trust.
pub fn write_new_pair(dir: &Path) -> anyhow::Result<KeyPairPaths> {
    let paths = KeyPairPaths {
        private: dir.join("signing-key.pem"),
        public: dir.join("signing-key.pub.json"),
    };
    for path in [&paths.private, &paths.public] {
        if path.symlink_metadata().is_ok() {
            bail!("{} exists; a key file is never overwritten", path.display());
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed)
        .map_err(|e| anyhow::anyhow!("the system's random source failed: {e}"))?;
    let signer = Signer::from_key(SigningKey::from_bytes(&seed));
    seed.fill(0);
    let pem = signer
        .key
        .to_pkcs8_pem(Default::default())
        .map_err(|e| anyhow::anyhow!("encoding the private key: {e}"))?;
    write_new(&paths.private, pem.as_bytes(), 0o600)?;
    write_new(&paths.public, signer.public.to_json().as_bytes(), 0o644)?;
    Ok(paths)
}

/// Creates `path` with `mode` (never replacing a file) and writes `bytes` durably.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_new_pair_reads_back_signs_and_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let paths = write_new_pair(dir.path()).unwrap();
        let mode = std::fs::metadata(&paths.private)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let signer = Signer::read(&paths.private).unwrap();
        let public = PublicKey::read(&paths.public).unwrap();
        assert_eq!(public.keyid, signer.public().keyid);
        let signature = signer.sign(b"message");
        assert!(public.verifies(b"message", &signature));
        assert!(!public.verifies(b"massage", &signature));
        let again = write_new_pair(dir.path()).err().unwrap().to_string();
        assert!(again.contains("signing-key.pem exists"), "{again}");
    }

    #[test]
    fn the_keyid_is_securesystemslibs_default() {
        // RFC 8032's first test key; its keyid as securesystemslib's
        // compute_default_keyid gives it.
        let public: [u8; 32] =
            hex::decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
                .unwrap()
                .try_into()
                .unwrap();
        let key = VerifyingKey::from_bytes(&public).unwrap();
        assert_eq!(
            default_keyid(&key),
            "74c181c7ad8a0855d4b55e44d2ba87aabdddb196832571f15f92fece332e4916"
        );
    }

    #[test]
    fn a_wrong_key_file_is_named_with_what_was_expected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        std::fs::write(&path, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n").unwrap();
        let err = Signer::read(&path).err().unwrap().to_string();
        assert!(
            err.contains("key.pem") && err.contains("PKCS#8 PEM"),
            "{err}"
        );
        let err = PublicKey::read(&path).err().unwrap().to_string();
        assert!(err.contains("key.pem") && err.contains("keyval"), "{err}");
        let err = Signer::read(&dir.path().join("missing")).err().unwrap();
        assert!(format!("{err:#}").contains("missing"), "{err:#}");
    }
}
