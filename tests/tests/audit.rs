//! The audit log complete and anchored (issue 19, class C and D): a call's intent is on
//! disk before the call does anything, a rewritten, truncated or replaced log no longer
//! matches its head, every phase run needs its end, `audit verify` never follows a link
//! into a device, and a phase that floods denied calls costs a bounded log.

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, OnceLock};

use common::audit::rechained;
use common::hostile::{self, Sandbox};
use pungi_host::audit::AuditLog;
use pungi_host::capabilities::command::{Invocation, run};
use pungi_host::capabilities::{DENIED_CALL_LIMIT, HostError, files};
use pungi_host::runtime::PhaseFailure;
use pungi_tests::{compose, describe, write_demo};
use serde_json::Value;

/// A phase environment of the hostile sandbox whose audit log is `/dev/full`: every
/// record fails to be written, as on a full disk.
fn env_on_a_full_disk(sandbox: &Sandbox) -> pungi_host::capabilities::PhaseEnv {
    let mut grant = sandbox.grant();
    grant.commands.insert("touch".into());
    let mut env = sandbox.env_with("ok", None, grant);
    let full = File::options().append(true).open("/dev/full").unwrap();
    env.audit = Arc::new(AuditLog::start(full, &sandbox.path("full-head.json")).unwrap());
    env
}

#[test]
fn on_a_full_disk_a_granted_command_is_not_run() {
    let sandbox = Sandbox::new();
    let env = env_on_a_full_disk(&sandbox);
    let touch = Invocation {
        program: "touch".into(),
        args: vec!["/compose/marker".into()],
        cwd: None,
        env: vec![],
        timeout: None,
    };
    let refused = run(&env, &touch).unwrap_err();
    assert!(
        matches!(&refused, HostError::Io(m) if m.contains("audit log cannot record")),
        "{refused}"
    );
    assert!(
        !sandbox.path("compose/marker").exists(),
        "the command ran before its record was written"
    );
}

#[test]
fn on_a_full_disk_a_batch_of_links_is_not_placed() {
    let sandbox = Sandbox::new();
    let env = env_on_a_full_disk(&sandbox);
    let batch = [("/compose/planted.txt".into(), "/compose/linked.txt".into())];
    let refused = files::link_many(&env, &batch).unwrap_err();
    assert!(matches!(refused, HostError::Io(_)), "{refused}");
    assert!(!sandbox.path("compose/linked.txt").exists());
}

#[test]
fn a_phase_making_a_thousand_denied_calls_is_stopped_at_the_bound() {
    let run = hostile::run("denied-flood", None, &[]);
    match &run.result {
        Err(PhaseFailure::DeniedLimit { limit }) => assert_eq!(*limit, DENIED_CALL_LIMIT),
        other => panic!("expected the denied-call limit, got {other:?}"),
    }
    let calls = run.sandbox.audit();
    let denied = calls.iter().filter(|c| c["outcome"] == "denied").count();
    assert_eq!(denied, DENIED_CALL_LIMIT as usize, "stopped at the bound");
    let bytes = std::fs::metadata(run.sandbox.path("audit.jsonl"))
        .unwrap()
        .len();
    assert!(bytes < 1 << 20, "the audit log is {bytes} bytes");
}

#[test]
fn a_huge_denied_argument_is_recorded_as_its_length_and_digest() {
    let run = hostile::run_with("denied-huge-argument", None, &[], |g| {
        g.limits.memory_bytes = 256 << 20;
    });
    // Refused for its size before anything else is looked at.
    let message = match &run.result {
        Err(PhaseFailure::Failed { message, .. }) => message.clone(),
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert!(
        message.contains("an argument of 16777216 bytes, more than 128 KiB"),
        "{message}"
    );
    let log = std::fs::read_to_string(run.sandbox.path("audit.jsonl")).unwrap();
    for (number, line) in log.lines().enumerate() {
        assert!(
            line.len() < 16 << 10,
            "line {} is {} bytes",
            number + 1,
            line.len()
        );
    }
    let call = run
        .sandbox
        .audit()
        .into_iter()
        .find(|c| c["operation"] == "run")
        .expect("the call is audited");
    assert_eq!(call["outcome"], "error");
    let omitted = &call["args"]["omitted"];
    assert!(omitted["bytes"].as_u64().unwrap() > 16 << 20, "{call}");
    assert_eq!(omitted["sha256"].as_str().unwrap().len(), 64, "{call}");
}

/// One demo compose, verified once, that the tests below copy and damage.
fn demo() -> &'static (tempfile::TempDir, PathBuf) {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("input");
        write_demo(&input).unwrap();
        let compose_dir = compose(
            &input.join("demo.conf"),
            &dir.path().join("composes"),
            &dir.path().join("cache"),
            &[],
        );
        let verify = verify(&compose_dir);
        assert!(verify.status.success(), "{}", describe(&verify));
        (dir, compose_dir)
    })
}

fn verify(compose_dir: &Path) -> Output {
    common::audit::verify(compose_dir, &[])
}

/// A copy of the demo compose to damage.
fn copy_of_demo() -> tempfile::TempDir {
    common::audit::copy_of(&demo().1)
}

/// `verify` fails and its error contains every one of `needles`.
fn assert_refused(compose_dir: &Path, needles: &[&str]) {
    common::audit::assert_refused(&verify(compose_dir), needles);
}

fn log_path(compose_dir: &Path) -> PathBuf {
    compose_dir.join("logs/global/audit.jsonl")
}

/// The records of the log, parsed.
fn records(compose_dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(log_path(compose_dir))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_denied_call_dropped_with_the_chain_recomputed_no_longer_matches_the_head() {
    let copy = copy_of_demo();
    let all = records(copy.path());
    let intent = all
        .iter()
        .find(|r| r["outcome"] == "started")
        .unwrap()
        .clone();
    let kept: Vec<Value> = all
        .into_iter()
        .filter(|r| r["seq"] != intent["seq"] && r["call"] != intent["seq"])
        .collect();
    let count = kept.len();
    std::fs::write(log_path(copy.path()), rechained(&kept).0).unwrap();
    assert_refused(
        copy.path(),
        &[
            &format!("audit.jsonl:{}:", count + 1),
            &format!("the log has {count} records"),
            &format!("says {}", count + 2),
        ],
    );
}

#[test]
fn a_log_replaced_by_rename_no_longer_matches_the_head() {
    let copy = copy_of_demo();
    let mut all = records(copy.path());
    let last = all.len();
    let end = all
        .iter_mut()
        .rev()
        .find(|r| r["operation"] == "end")
        .unwrap();
    end["outcome"] = "ok".into();
    end["detail"] = Value::Null;
    let (text, _) = rechained(&all);
    let forged = copy.path().join("logs/global/forged.jsonl");
    std::fs::write(&forged, text).unwrap();
    std::fs::rename(&forged, log_path(copy.path())).unwrap();
    assert_refused(
        copy.path(),
        &[
            &format!("audit.jsonl:{last}: line {last}'s hash is"),
            "the head",
        ],
    );
}

#[test]
fn a_truncated_log_is_named_at_the_line_it_was_cut() {
    let copy = copy_of_demo();
    let text = std::fs::read_to_string(log_path(copy.path())).unwrap();
    let lines = text.lines().count();
    std::fs::write(log_path(copy.path()), &text[..text.len() - 20]).unwrap();
    assert_refused(copy.path(), &[&format!("audit.jsonl:{lines}: cut short")]);
    let whole: String = text
        .lines()
        .take(lines - 3)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(log_path(copy.path()), whole).unwrap();
    assert_refused(
        copy.path(),
        &[
            &format!("the log has {} records", lines - 3),
            &format!("says {lines}"),
        ],
    );
}

#[test]
fn a_phase_run_without_its_end_record_is_named_at_its_start() {
    let copy = copy_of_demo();
    let all = records(copy.path());
    let end = all.iter().rposition(|r| r["operation"] == "end").unwrap();
    let phase = all[end]["phase"].as_str().unwrap().to_owned();
    let start = all
        .iter()
        .position(|r| r["phase"] == phase.as_str() && r["operation"] == "start")
        .unwrap();
    let kept: Vec<Value> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != end)
        .map(|(_, r)| r.clone())
        .collect();
    // Head and log agree (as after a host killed mid-phase): only the run is wrong.
    let (text, last_hash) = rechained(&kept);
    std::fs::write(log_path(copy.path()), text).unwrap();
    let head = serde_json::json!({ "records": kept.len(), "last_hash": last_hash });
    std::fs::write(copy.path().join("state/audit-head.json"), head.to_string()).unwrap();
    assert_refused(
        copy.path(),
        &[&format!(
            "audit.jsonl:{}: phase `{phase}` starts a run here that has no end record",
            start + 1
        )],
    );
}

#[test]
fn verify_finishes_on_a_package_replaced_by_a_link_to_dev_zero() {
    let copy = copy_of_demo();
    let packages = copy.path().join("compose/Server/x86_64/os/Packages");
    let package = std::fs::read_dir(&packages)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "rpm"))
        .unwrap();
    std::fs::remove_file(&package).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &package).unwrap();
    let name = package.file_name().unwrap().to_str().unwrap();
    assert_refused(copy.path(), &[name, "symbolic link"]);
}

#[test]
fn verify_finishes_on_an_image_replaced_by_a_link_to_dev_zero() {
    let copy = copy_of_demo();
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(copy.path().join("compose/metadata/images.json")).unwrap(),
    )
    .unwrap();
    let image = manifest["payload"]["images"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|arches| arches.as_object().unwrap().values())
        .flat_map(|images| images.as_array().unwrap())
        .find_map(|image| image["path"].as_str())
        .expect("the demo makes an image")
        .to_owned();
    let path = copy.path().join("compose").join(&image);
    std::fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    assert_refused(copy.path(), &[&image, "symbolic link"]);
}
