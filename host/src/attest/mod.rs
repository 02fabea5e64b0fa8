//! A signed, standard attestation of a compose (issue 18): an in-toto Statement v1 whose
//! subjects are the compose's images, repositories and metadata with their sha256, and
//! whose predicate is SLSA Provenance v1 (the inputs, the components that ran, the
//! audit log's head), in a DSSE envelope signed with an ed25519 key. A third party
//! verifies it with in-toto's or securesystemslib's tools and the public key alone; the
//! signature also covers the audit log's head, which a rewritten log cannot match.
//! docs/security.md says what is in it and how an auditor checks it.

mod dsse;
mod inputs;
mod keys;
mod seal;
mod statement;
mod subjects;
mod verify;

pub use dsse::{Envelope, IN_TOTO_PAYLOAD};
pub use inputs::ComposeInputs;
pub use keys::{KeyPairPaths, PublicKey, Signer, write_new_pair};
pub use seal::Attestor;
pub use subjects::ATTESTATION;
pub use verify::{AttestationSummary, verify_attestation};
