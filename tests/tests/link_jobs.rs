//! `files.start-links` on the host side, without a component: batches land in order,
//! each is answered once and audited, more batches than the queue holds all land, and
//! a dropped job is still placed by the time the worker is drained (which the runtime
//! does before it reports a phase ended); past the phase's deadline nothing more is
//! placed.

mod common;

use std::path::Path;
use std::time::Duration;

use pungi_host::capabilities::HostError;
use pungi_host::capabilities::files::LinkKind;
use pungi_host::capabilities::link_jobs::LinkWorker;

fn setup() -> (tempfile::TempDir, pungi_host::capabilities::PhaseEnv) {
    let dir = tempfile::tempdir().unwrap();
    let grant = common::compose_grant(dir.path(), "gather", Duration::from_secs(60));
    std::fs::write(dir.path().join("compose/source.rpm"), b"rpm").unwrap();
    let env = common::phase_env(dir.path(), grant);
    (dir, env)
}

fn batch(names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| {
            (
                "/compose/source.rpm".to_owned(),
                format!("/compose/tree/{n}"),
            )
        })
        .collect()
}

/// The audited `start-links` calls, in order, as their outcome and argument text.
fn audited(root: &Path) -> Vec<String> {
    common::audit::calls(&std::fs::read_to_string(root.join("audit.jsonl")).unwrap())
        .into_iter()
        .filter(|l| l["operation"] == "start-links")
        .map(|l| format!("{} {}", l["outcome"], l["args"]))
        .collect()
}

#[test]
fn batches_are_answered_once_and_audited_in_order() {
    let (dir, env) = setup();
    let mut worker = LinkWorker::default();
    let mut first = worker.start(&env, batch(&["a.rpm", "b.rpm"])).unwrap();
    let mut second = worker
        .start(
            &env,
            vec![("/compose/missing.rpm".into(), "/compose/tree/c.rpm".into())],
        )
        .unwrap();
    assert_eq!(
        first.finish().unwrap(),
        [Ok(LinkKind::Hardlink), Ok(LinkKind::Hardlink)]
    );
    let answers = second.finish().unwrap();
    assert!(
        matches!(&answers[..], [Err(HostError::NotFound(path))] if path == "/compose/missing.rpm"),
        "{answers:?}"
    );
    assert!(matches!(first.finish(), Err(HostError::Invalid(_))));
    worker.drain();
    assert!(dir.path().join("compose/tree/b.rpm").is_file());
    let records = audited(dir.path());
    assert_eq!(records.len(), 2, "{records:?}");
    assert!(records[0].starts_with("\"ok\"") && records[0].contains("b.rpm"));
    assert!(records[1].starts_with("\"error\"") && records[1].contains("missing.rpm"));
}

#[test]
fn more_batches_than_the_queue_holds_all_land_and_a_dropped_one_too() {
    let (dir, env) = setup();
    let mut worker = LinkWorker::default();
    let names: Vec<String> = (0..100).map(|i| format!("p{i}.rpm")).collect();
    for name in &names {
        // Dropped at once: never finished, never waited for.
        drop(worker.start(&env, batch(&[name])).unwrap());
    }
    worker.drain();
    for name in &names {
        assert!(
            dir.path().join("compose/tree").join(name).is_file(),
            "{name}"
        );
    }
    assert_eq!(audited(dir.path()).len(), 100);
}

#[test]
fn past_the_phase_deadline_no_link_is_placed_and_each_is_answered_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let grant = common::compose_grant(dir.path(), "gather", Duration::ZERO);
    std::fs::write(dir.path().join("compose/source.rpm"), b"rpm").unwrap();
    let env = common::phase_env(dir.path(), grant);
    let answers = pungi_host::capabilities::files::link_many(&env, &batch(&["a.rpm", "b.rpm"]))
        .expect("the batch is within the caps");
    assert!(
        answers
            .iter()
            .all(|a| matches!(a, Err(HostError::Timeout(_)))),
        "{answers:?}"
    );
    let mut worker = LinkWorker::default();
    let answers = worker
        .start(&env, batch(&["c.rpm"]))
        .unwrap()
        .finish()
        .unwrap();
    assert!(
        matches!(&answers[..], [Err(HostError::Timeout(_))]),
        "{answers:?}"
    );
    assert!(!dir.path().join("compose/tree").exists());
}
