//! The signed attestation of a compose (issue 18): a signed demo compose verifies with
//! `audit verify --key` and with the Python in-toto and securesystemslib packages, and
//! each kind of tampering is refused with its reason named.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::audit::rechained;
use pungi_host::attest::{Envelope, IN_TOTO_PAYLOAD, Signer, write_new_pair};
use pungi_tests::{compose, describe, python, try_compose, write_demo};
use serde_json::Value;

/// Where the envelope is, under the compose directory.
const ENVELOPE: &str = "compose/metadata/provenance.intoto.jsonl";

struct Signed {
    _dir: tempfile::TempDir,
    compose: PathBuf,
    keys: PathBuf,
}

/// One demo compose, `--restricted` and signed, that the tests below copy and damage.
fn signed_demo() -> &'static Signed {
    static DEMO: OnceLock<Signed> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("input");
        write_demo(&input).unwrap();
        let keys = dir.path().join("keys");
        let pair = write_new_pair(&keys).unwrap();
        let compose = compose(
            &input.join("demo.conf"),
            &dir.path().join("composes"),
            &dir.path().join("cache"),
            &["--restricted", "--sign-key", pair.private.to_str().unwrap()],
        );
        Signed {
            _dir: dir,
            compose,
            keys,
        }
    })
}

fn public_key() -> PathBuf {
    signed_demo().keys.join("signing-key.pub.json")
}

fn verify(compose_dir: &Path) -> Output {
    common::audit::verify(compose_dir, &["--key", public_key().to_str().unwrap()])
}

/// A copy of the signed demo compose to damage.
fn copy_of_demo() -> tempfile::TempDir {
    common::audit::copy_of(&signed_demo().compose)
}

/// `verify --key` fails and its error contains every one of `needles`.
fn assert_refused(compose_dir: &Path, needles: &[&str]) {
    common::audit::assert_refused(&verify(compose_dir), needles);
}

fn envelope(compose_dir: &Path) -> Envelope {
    serde_json::from_slice(&std::fs::read(compose_dir.join(ENVELOPE)).unwrap()).unwrap()
}

fn statement(compose_dir: &Path) -> Value {
    serde_json::from_slice(&STANDARD.decode(envelope(compose_dir).payload).unwrap()).unwrap()
}

/// The compose-relative name of the first subject whose name satisfies `pick`.
fn subject(compose_dir: &Path, pick: impl Fn(&str) -> bool) -> String {
    statement(compose_dir)["subject"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .find(|name| pick(name))
        .expect("such a subject")
        .to_owned()
}

#[test]
fn a_signed_restricted_demo_compose_verifies_and_says_what_it_is() {
    let demo = signed_demo();
    let output = verify(&demo.compose);
    assert!(output.status.success(), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("signed by key"), "{stdout}");

    let envelope = envelope(&demo.compose);
    assert_eq!(envelope.payload_type, IN_TOTO_PAYLOAD);
    let statement = statement(&demo.compose);
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], "https://slsa.dev/provenance/v1");
    let names: Vec<&str> = statement["subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for expected in [
        "metadata/composeinfo.json",
        "metadata/images.json",
        "metadata/rpms.json",
        "Server/x86_64/os/repodata/repomd.xml",
        "Server/x86_64/os/.treeinfo",
    ] {
        assert!(names.contains(&expected), "{expected} not in {names:?}");
    }
    assert!(names.iter().any(|n| n.ends_with(".iso")), "{names:?}");
    let definition = &statement["predicate"]["buildDefinition"];
    let parameters = &definition["externalParameters"];
    assert_eq!(parameters["restricted"], true);
    assert_eq!(parameters["policy"], "stock");
    let config: Vec<&str> = parameters["config"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["name"].as_str().unwrap())
        .collect();
    assert_eq!(config, ["demo.conf", "variants.xml", "comps.xml"]);
    let lock = std::fs::read_to_string(demo.compose.join("logs/global/components.lock")).unwrap();
    let components = definition["resolvedDependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["name"].as_str().unwrap().starts_with("phase/"))
        .inspect(|d| assert!(lock.contains(d["digest"]["sha256"].as_str().unwrap())))
        .count();
    assert!(components >= 6, "{components} components");
    let head: Value = serde_json::from_str(
        &std::fs::read_to_string(demo.compose.join("state/audit-head.json")).unwrap(),
    )
    .unwrap();
    let byproduct = &statement["predicate"]["runDetails"]["byproducts"][0];
    assert_eq!(byproduct["annotations"]["records"], head["records"]);
    assert_eq!(byproduct["annotations"]["lastHash"], head["last_hash"]);
    assert_eq!(head["signature"]["envelope"], ENVELOPE);
}

#[test]
fn a_changed_byte_in_an_image_is_named() {
    let copy = copy_of_demo();
    let image = subject(copy.path(), |n| n.ends_with(".iso"));
    let path = copy.path().join("compose").join(&image);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[40_000] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    assert_refused(copy.path(), &[&image, "the attestation records"]);
}

#[test]
fn a_replaced_repomd_is_named() {
    let copy = copy_of_demo();
    let repomd = subject(copy.path(), |n| n.starts_with("Server/x86_64/os/repodata/"));
    let other = subject(copy.path(), |n| {
        n.ends_with("repomd.xml") && !n.starts_with("Server/x86_64/os/")
    });
    let compose = copy.path().join("compose");
    std::fs::copy(compose.join(&other), compose.join(&repomd)).unwrap();
    assert_refused(
        copy.path(),
        &[&repomd, "sha256 is", "the attestation records"],
    );
}

#[test]
fn a_record_removed_with_chain_and_head_recomputed_is_refused() {
    let copy = copy_of_demo();
    let log = copy.path().join("logs/global/audit.jsonl");
    let all: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let denied = all.iter().find(|r| r["outcome"] == "started").unwrap()["seq"].clone();
    let kept: Vec<Value> = all
        .iter()
        .filter(|r| r["seq"] != denied && r["call"] != denied)
        .cloned()
        .collect();
    let (text, last_hash) = rechained(&kept);
    std::fs::write(&log, text).unwrap();
    // Whoever can write the log can write the head too; only the signature is out of
    // reach.
    let head_path = copy.path().join("state/audit-head.json");
    let mut head: Value =
        serde_json::from_str(&std::fs::read_to_string(&head_path).unwrap()).unwrap();
    head["records"] = kept.len().into();
    head["last_hash"] = last_hash.into();
    std::fs::write(&head_path, head.to_string()).unwrap();
    assert_refused(
        copy.path(),
        &[
            "audit.jsonl",
            &format!("the log has {} records", kept.len()),
            &format!("the attestation records {}", all.len()),
        ],
    );
}

#[test]
fn an_envelope_signed_again_with_another_key_is_refused() {
    let copy = copy_of_demo();
    let keys = tempfile::tempdir().unwrap();
    let other = Signer::read(&write_new_pair(keys.path()).unwrap().private).unwrap();
    let original = envelope(copy.path());
    let payload = STANDARD.decode(&original.payload).unwrap();
    let mut forged = Envelope::sign(IN_TOTO_PAYLOAD, &payload, &other);
    let path = copy.path().join(ENVELOPE);
    std::fs::write(&path, serde_json::to_string(&forged).unwrap()).unwrap();
    assert_refused(
        copy.path(),
        &["no signature by the trusted key", &other.public().keyid],
    );
    // Claiming the trusted key's keyid does not help.
    forged.signatures[0].keyid = original.signatures[0].keyid.clone();
    std::fs::write(&path, serde_json::to_string(&forged).unwrap()).unwrap();
    assert_refused(copy.path(), &["does not verify"]);
}

#[test]
fn a_component_swapped_in_components_lock_is_named() {
    let copy = copy_of_demo();
    let path = copy.path().join("logs/global/components.lock");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("gather"))
        .expect("gather is locked");
    let recorded = line.split('"').nth(1).unwrap();
    let swapped = "ab".repeat(32);
    std::fs::write(&path, text.replace(recorded, &swapped)).unwrap();
    assert_refused(
        copy.path(),
        &[
            "components.lock: phase `gather` ran component sha256",
            &swapped,
            &format!("the attestation records {recorded}"),
        ],
    );
}

#[test]
fn a_bad_sign_key_is_refused_before_the_compose_starts() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    write_demo(&input).unwrap();
    let target = dir.path().join("composes");
    // The public key where the private one is expected.
    let output = try_compose(
        &input.join("demo.conf"),
        &target,
        &dir.path().join("cache"),
        &["--sign-key", public_key().to_str().unwrap()],
    );
    assert!(!output.status.success(), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("signing-key.pub.json") && stderr.contains("PKCS#8 PEM"),
        "{stderr}"
    );
    assert!(!target.exists(), "the compose started");
}

/// An auditor's check with the Python tools alone: in-toto loads the envelope and
/// verifies it with the public key file as it is, securesystemslib does the same with
/// its own key and envelope classes, and every subject's sha256 is recomputed.
const PYTHON_CHECK: &str = r#"
import base64, hashlib, json, os, sys
from in_toto.models.metadata import Metadata
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

compose, key_path = sys.argv[1], sys.argv[2]
path = os.path.join(compose, "compose/metadata/provenance.intoto.jsonl")
key = json.load(open(key_path))

Metadata.load(path).verify_signature(key)

envelope = Envelope.from_dict(json.load(open(path)))
keyid = key.pop("keyid")
envelope.verify([SSlibKey.from_dict(keyid, key)], 1)

statement = json.loads(envelope.payload)
assert statement["_type"] == "https://in-toto.io/Statement/v1"
assert statement["predicateType"] == "https://slsa.dev/provenance/v1"
for subject in statement["subject"]:
    with open(os.path.join(compose, "compose", subject["name"]), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == subject["digest"]["sha256"], subject
print("verified", len(statement["subject"]), "subjects")
"#;

fn python_check(compose_dir: &Path, key: &Path) -> Output {
    Command::new(python())
        .args(["-c", PYTHON_CHECK])
        .arg(compose_dir)
        .arg(key)
        .output()
        .expect("python starts (cargo xtask test installs in-toto in .venv)")
}

#[test]
fn the_attestation_verifies_with_python_in_toto_and_securesystemslib() {
    let demo = signed_demo();
    let output = python_check(&demo.compose, &public_key());
    assert!(output.status.success(), "{}", describe(&output));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("verified"));

    let keys = tempfile::tempdir().unwrap();
    let other = write_new_pair(keys.path()).unwrap();
    let refused = python_check(&demo.compose, &other.public);
    assert!(!refused.status.success(), "{}", describe(&refused));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("SignatureVerificationError"),
        "{}",
        describe(&refused)
    );
}
