//! `download-rpm` against the test hub, called as the host provides it to a phase:
//! several downloads over the kept-alive connections of one client still verify each
//! file (a damaged one among good ones is refused and never placed), and a download
//! ends with the phase's time limit even when the hub is slower than that.

mod common;

use std::sync::Arc;
use std::time::Duration;

use pungi_host::capabilities::PhaseEnv;
use pungi_host::capabilities::koji::calls::download_rpm;
use pungi_host::capabilities::koji::{HubSettings, KojiError, KojiGrant, KojiHub};
use pungi_tests::koji_hub::Hub;

/// A pkgset environment under `root` allowed to download from `hub` for `time`.
fn env(root: &std::path::Path, hub: &Hub, time: Duration) -> PhaseEnv {
    let mut grant = common::compose_grant(root, "pkgset", time);
    let mut settings = HubSettings::for_server(&hub.server());
    settings.topurl = Some(hub.topurl());
    settings.retry_interval = Duration::from_millis(50);
    grant.koji = KojiGrant {
        methods: ["getRPM", "getBuild", "getRPMChecksums", "download"]
            .map(String::from)
            .into(),
        runroot: None,
        hub: Some(Arc::new(KojiHub::new(settings))),
    };
    common::phase_env(root, grant)
}

#[test]
fn a_damaged_download_among_good_ones_is_refused_and_never_placed() {
    let hub = Hub::start(&["--corrupt-downloads", "1"]);
    let dir = tempfile::tempdir().unwrap();
    let env = env(dir.path(), &hub, Duration::from_secs(300));
    let results: Vec<_> = (1..=6)
        .map(|id| download_rpm(&env, id, Some("A1B2C3D4"), &format!("/compose/{id}.rpm")))
        .collect();
    assert!(
        matches!(&results[0], Err(KojiError::ChecksumMismatch(_))),
        "{:?}",
        results[0]
    );
    assert!(!dir.path().join("compose/1.rpm").exists());
    for (id, result) in (1..).zip(&results).skip(1) {
        let placed = result.as_ref().unwrap_or_else(|e| panic!("rpm {id}: {e}"));
        let bytes = std::fs::read(dir.path().join(format!("compose/{id}.rpm"))).unwrap();
        assert_eq!(placed.size, bytes.len() as u64);
        assert_eq!(placed.sha256, pungi_host::audit::digest(&bytes), "rpm {id}");
    }
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert_eq!(audit.matches("\"download-rpm\"").count(), 12, "{audit}");
    assert_eq!(audit.matches("checksum mismatch").count(), 1, "{audit}");
}

#[test]
fn a_download_ends_with_the_phase_time_limit() {
    // Every answer takes 3 s; the phase has 1 s, and the profile's own timeout is hours.
    let hub = Hub::start(&["--delay-ms", "3000"]);
    let dir = tempfile::tempdir().unwrap();
    let env = env(dir.path(), &hub, Duration::from_secs(1));
    let result = download_rpm(&env, 1, Some("A1B2C3D4"), "/compose/1.rpm");
    assert!(matches!(result, Err(KojiError::Timeout(_))), "{result:?}");
    let late = download_rpm(&env, 2, Some("A1B2C3D4"), "/compose/2.rpm");
    let Err(KojiError::Timeout(message)) = late else {
        panic!("past the limit: {late:?}");
    };
    assert!(message.contains("time limit"), "{message}");
    assert!(!dir.path().join("compose/1.rpm").exists());
}
