//! The RPM header reader Pkgset uses (`Package::read`) and the signing-key reader
//! behind `sigkeys`, on arbitrary file contents. Both take a path, so each input is
//! written to one scratch file first.

#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use pungi_repodata::{Checksum, ChecksumKind, Package, signing_key_id};
use tempfile::TempDir;

static SCRATCH: LazyLock<(TempDir, PathBuf)> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("scratch directory for the fuzz input");
    let path = dir.path().join("input.rpm");
    (dir, path)
});

fuzz_target!(|data: &[u8]| {
    let path = &SCRATCH.1;
    std::fs::write(path, data).expect("write the fuzz input");
    let checksum = Checksum {
        algorithm: ChecksumKind::Sha256,
        hex: String::new(),
    };
    let _ = Package::read(path, "input.rpm", checksum);
    let _ = signing_key_id(path);
});
