//! The Koji calls phases make, each gated by the hub methods it uses and audited once.

use std::time::{Duration, Instant};

use serde_json::json;

use super::client::Client;
use super::error::KojiError;
use super::fetch::{Expected, Placed, place_verified};
use super::model::{Build, EventInfo, Rpm, Tag, TaskInfo, TaskOutput, task_outputs, to_json};
use super::xmlrpc::Value;
use super::{KojiHub, audited};
use super::{names, runroot};
use crate::capabilities::PhaseEnv;
use crate::capabilities::beneath::{Beneath, LinkError, Links, Within};
use crate::capabilities::files::refusal;
use crate::capabilities::paths::locate;

/// The permission name for reading files under the hub's topdir/topurl.
pub const DOWNLOAD: &str = "download";

/// Which hub the compose uses, as a phase may know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubFacts {
    pub server: String,
    pub topurl: Option<String>,
    /// Whether the hub's file tree is mounted on this host (else files are downloaded).
    pub local_topdir: bool,
}

/// Where a placed file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Topdir,
    Topurl,
}

/// A file placed at a guest path, verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub origin: Origin,
}

/// Koji's keyword arguments: a trailing struct marked `__starstar`.
fn kwargs<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    let mut value = Value::record(pairs);
    if let Value::Struct(s) = &mut value {
        s.insert("__starstar".into(), Value::Bool(true));
    }
    value
}

fn event_param(event: Option<u64>) -> Value {
    Value::opt_int(event.map(|e| e as i64))
}

fn hub(env: &PhaseEnv) -> Option<&KojiHub> {
    env.grant.koji.hub.as_deref()
}

pub fn hub_facts(env: &PhaseEnv) -> Option<HubFacts> {
    hub(env).map(|h| HubFacts {
        server: h.settings.server.clone(),
        topurl: h.settings.topurl.clone(),
        local_topdir: h.settings.topdir.as_ref().is_some_and(|d| d.is_dir()),
    })
}

pub fn last_event(env: &PhaseEnv) -> Result<EventInfo, KojiError> {
    audited(
        env,
        "get-last-event",
        &["getLastEvent"],
        json!({}),
        |c| EventInfo::from_value(&c.call("getLastEvent", &[])?),
        |e| Some(format!("event={}", e.id)),
    )
}

pub fn get_tag(env: &PhaseEnv, tag: &str, event: Option<u64>) -> Result<Tag, KojiError> {
    audited(
        env,
        "get-tag",
        &["getTag"],
        json!({ "tag": tag, "event": event }),
        |c| {
            let value = c.call(
                "getTag",
                &[Value::str(tag), Value::Bool(true), event_param(event)],
            )?;
            if value.is_nil() {
                return Err(KojiError::NotFound(format!("tag `{tag}`")));
            }
            Tag::from_value(&value)
        },
        |t| Some(format!("tag={}", t.id)),
    )
}

/// `listTagged`: the builds in `tag` at `event`, through inheritance when asked, only the
/// latest of each package when `latest`.
pub fn list_tagged(
    env: &PhaseEnv,
    tag: &str,
    event: Option<u64>,
    inherit: bool,
    latest: bool,
) -> Result<Vec<Build>, KojiError> {
    audited(
        env,
        "list-tagged",
        &["listTagged"],
        json!({ "tag": tag, "event": event, "inherit": inherit, "latest": latest }),
        |c| {
            let value = c.call(
                "listTagged",
                &[
                    Value::str(tag),
                    event_param(event),
                    Value::Bool(inherit),
                    Value::Nil,
                    Value::Bool(latest),
                ],
            )?;
            list(&value, "listTagged", Build::from_value)
        },
        |b| Some(format!("builds={}", b.len())),
    )
}

pub fn get_build(env: &PhaseEnv, build: &str) -> Result<Build, KojiError> {
    audited(
        env,
        "get-build",
        &["getBuild"],
        json!({ "build": build }),
        |c| {
            let value = c.call("getBuild", &[build_ref(build), Value::Bool(false)])?;
            if value.is_nil() {
                return Err(KojiError::NotFound(format!("build `{build}`")));
            }
            Build::from_value(&value)
        },
        |b| Some(format!("build={}", b.id)),
    )
}

/// An id when the text is a number, as koji's CLI does.
fn build_ref(text: &str) -> Value {
    text.parse::<i64>()
        .map(Value::Int)
        .unwrap_or_else(|_| Value::str(text))
}

/// The RPMs of many builds, in multicall batches: how a whole tag is loaded.
pub fn list_rpms(
    env: &PhaseEnv,
    build_ids: &[u64],
    arches: &[String],
) -> Result<Vec<Rpm>, KojiError> {
    audited(
        env,
        "list-rpms",
        &["listRPMs", "multiCall"],
        json!({ "builds": build_ids.len(), "arches": arches }),
        |c| {
            let arches = (!arches.is_empty())
                .then(|| Value::Array(arches.iter().map(|a| Value::str(a.clone())).collect()));
            let calls: Vec<(&str, Vec<Value>)> = build_ids
                .iter()
                .map(|id| {
                    let opts = kwargs([
                        ("buildID", Value::Int(*id as i64)),
                        ("arches", arches.clone().unwrap_or(Value::Nil)),
                    ]);
                    ("listRPMs", vec![opts])
                })
                .collect();
            let mut rpms = Vec::new();
            for (id, result) in build_ids.iter().zip(c.multicall(&calls)?) {
                let value = result.map_err(|f| KojiError::Fault {
                    code: f.code,
                    message: format!("listRPMs(build {id}): {}", f.message),
                })?;
                rpms.extend(list(&value, "listRPMs", Rpm::from_value)?);
            }
            Ok(rpms)
        },
        |r| Some(format!("rpms={}", r.len())),
    )
}

pub fn get_rpm(env: &PhaseEnv, rpm: &str) -> Result<Rpm, KojiError> {
    audited(
        env,
        "get-rpm",
        &["getRPM"],
        json!({ "rpm": rpm }),
        |c| lookup_rpm(c, build_ref(rpm)),
        |r| Some(format!("rpm={}", r.id)),
    )
}

fn lookup_rpm(c: &Client, rpm: Value) -> Result<Rpm, KojiError> {
    let value = c.call("getRPM", &[rpm.clone(), Value::Bool(false)])?;
    if value.is_nil() {
        return Err(KojiError::NotFound(format!("rpm {rpm:?}")));
    }
    Rpm::from_value(&value)
}

/// The sha256 of every copy (sigkey -> hex; `""` is the unsigned copy) of many RPMs.
pub fn rpm_checksums(
    env: &PhaseEnv,
    rpm_ids: &[u64],
) -> Result<Vec<Vec<(String, String)>>, KojiError> {
    audited(
        env,
        "rpm-checksums",
        &["getRPMChecksums", "multiCall"],
        json!({ "rpms": rpm_ids.len() }),
        |c| {
            let calls: Vec<(&str, Vec<Value>)> = rpm_ids
                .iter()
                .map(|id| {
                    let types = Value::Array(vec![Value::str("sha256")]);
                    ("getRPMChecksums", vec![Value::Int(*id as i64), types])
                })
                .collect();
            c.multicall(&calls)?
                .into_iter()
                .map(|result| {
                    let value = result.map_err(|f| KojiError::Fault {
                        code: f.code,
                        message: f.message,
                    })?;
                    Ok(checksum_pairs(&value))
                })
                .collect()
        },
        |r: &Vec<Vec<(String, String)>>| Some(format!("rpms={}", r.len())),
    )
}

fn checksum_pairs(value: &Value) -> Vec<(String, String)> {
    value
        .as_struct()
        .map(|keys| {
            keys.iter()
                .filter_map(|(key, sums)| {
                    Some((key.clone(), sums.get("sha256").as_str()?.to_owned()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Hub methods whose parameters name other methods: through `submit-task` they would
/// call whatever they name, whatever the phase's `koji-methods` say.
const CALLS_OTHERS: &[&str] = &["multiCall", "system.multicall"];

/// Submits a task by calling hub method `method` (e.g. `runroot`, `createImage`) with
/// JSON parameters; returns its id. The audit record holds the whole request (the
/// parameters as JSON when they parse); a `runroot` request must fit the phase's
/// `koji-runroot` narrowing.
pub fn submit_task(env: &PhaseEnv, method: &str, params: &str) -> Result<u64, KojiError> {
    let parsed: Result<serde_json::Value, _> = serde_json::from_str(params);
    let recorded = match &parsed {
        Ok(value) => value.clone(),
        Err(_) => serde_json::Value::String(params.to_owned()),
    };
    audited(
        env,
        "submit-task",
        &[method],
        json!({ "method": method, "params": recorded }),
        |c| {
            if CALLS_OTHERS.contains(&method) {
                return Err(KojiError::Denied(format!(
                    "phase `{}`: `{method}` calls other methods; it is no task to submit",
                    env.grant.phase
                )));
            }
            let params = parsed
                .map_err(|e| KojiError::Invalid(format!("task parameters are not JSON: {e}")))?;
            let serde_json::Value::Array(list) = params else {
                return Err(KojiError::Invalid(
                    "task parameters must be a JSON list".to_owned(),
                ));
            };
            if method == "runroot" {
                runroot::check(&env.grant.phase, env.grant.koji.runroot.as_ref(), &list)?;
            }
            let args: Vec<Value> = list.iter().map(super::model::from_json).collect();
            let id = c.call(method, &args)?;
            id.as_i64()
                .and_then(|i| u64::try_from(i).ok())
                .ok_or_else(|| {
                    KojiError::Invalid(format!("{method} returned {id:?}, not a task id"))
                })
        },
        |id| Some(format!("task={id}")),
    )
}

fn task_info_of(c: &Client, task: u64) -> Result<TaskInfo, KojiError> {
    let value = c.call(
        "getTaskInfo",
        &[
            Value::Int(task as i64),
            Value::Bool(false),
            Value::Bool(false),
        ],
    )?;
    if value.is_nil() {
        return Err(KojiError::NotFound(format!("task {task}")));
    }
    TaskInfo::from_value(&value)
}

pub fn task_info(env: &PhaseEnv, task: u64) -> Result<TaskInfo, KojiError> {
    audited(
        env,
        "task-info",
        &["getTaskInfo"],
        json!({ "task": task }),
        |c| task_info_of(c, task),
        |t| Some(format!("state={:?}", t.state)),
    )
}

/// Polls the task until it is closed, failed or canceled, or `timeout` passes (at most
/// what is left of the phase's time limit).
pub fn wait_task(env: &PhaseEnv, task: u64, timeout: Duration) -> Result<TaskInfo, KojiError> {
    let timeout = timeout.min(env.remaining_time());
    audited(
        env,
        "wait-task",
        &["getTaskInfo"],
        json!({ "task": task, "timeout_ms": timeout.as_millis() as u64 }),
        |c| {
            let started = Instant::now();
            let mut pause = Duration::from_millis(100);
            loop {
                let info = task_info_of(c, task)?;
                if info.state.is_final() {
                    return Ok(info);
                }
                if started.elapsed() >= timeout {
                    return Err(KojiError::Timeout(format!(
                        "task {task} is still {:?} after {:.1}s",
                        info.state,
                        timeout.as_secs_f64()
                    )));
                }
                std::thread::sleep(pause.min(timeout.saturating_sub(started.elapsed())));
                pause = (pause * 2).min(Duration::from_secs(5));
            }
        },
        |t| Some(format!("state={:?}", t.state)),
    )
}

/// The task's result as JSON; a failed task's fault is the error.
pub fn task_result(env: &PhaseEnv, task: u64) -> Result<String, KojiError> {
    audited(
        env,
        "task-result",
        &["getTaskResult"],
        json!({ "task": task }),
        |c| {
            let value = c.call("getTaskResult", &[Value::Int(task as i64)])?;
            Ok(to_json(&value).to_string())
        },
        |r| Some(crate::audit::digest(r.as_bytes())),
    )
}

fn outputs_of(c: &Client, task: u64) -> Result<Vec<TaskOutput>, KojiError> {
    let value = c.call(
        "listTaskOutput",
        &[Value::Int(task as i64), Value::Bool(true)],
    )?;
    task_outputs(&value)
}

pub fn list_task_output(env: &PhaseEnv, task: u64) -> Result<Vec<TaskOutput>, KojiError> {
    audited(
        env,
        "list-task-output",
        &["listTaskOutput"],
        json!({ "task": task }),
        |c| outputs_of(c, task),
        |o| Some(format!("files={}", o.len())),
    )
}

/// Places one copy of an RPM at `destination`: the copy signed with `sigkey`, or the
/// unsigned one; from the local topdir when mounted, else from topurl; verified against
/// the hub's sha256 (and size, for the unsigned copy).
pub fn download_rpm(
    env: &PhaseEnv,
    rpm_id: u64,
    sigkey: Option<&str>,
    destination: &str,
) -> Result<Download, KojiError> {
    audited(
        env,
        "download-rpm",
        &["getRPM", "getBuild", "getRPMChecksums", DOWNLOAD],
        json!({ "rpm": rpm_id, "sigkey": sigkey, "destination": destination }),
        |c| {
            let (rpm, sums) = c.both(
                || lookup_rpm(c, Value::Int(rpm_id as i64)),
                || {
                    c.call(
                        "getRPMChecksums",
                        &[
                            Value::Int(rpm_id as i64),
                            Value::Array(vec![Value::str("sha256")]),
                        ],
                    )
                },
            );
            let (rpm, sums) = (rpm?, checksum_pairs(&sums?));
            let build = c.builds().get(rpm.build_id, || {
                Build::from_value(&c.call(
                    "getBuild",
                    &[Value::Int(rpm.build_id as i64), Value::Bool(true)],
                )?)
            })?;
            let key = sigkey.unwrap_or_default().to_ascii_lowercase();
            let sha256 = sums.into_iter().find(|(k, _)| *k == key).map(|(_, s)| s);
            let signed = if key.is_empty() {
                String::new()
            } else {
                names::component("a signing key", &key)?;
                if sha256.is_none() {
                    return Err(KojiError::NotFound(format!(
                        "{}: no copy signed with key {key}",
                        rpm.filename()
                    )));
                }
                format!("data/signed/{key}/")
            };
            let relative = format!(
                "packages/{}/{}/{}/{signed}{}/{}",
                names::component("a build name", &build.package_name)?,
                names::component("a build version", &build.version)?,
                names::component("a build release", &build.release)?,
                names::component("an RPM arch", &rpm.arch)?,
                names::component("an RPM file name", &rpm.filename())?
            );
            let expected = Expected {
                size: key.is_empty().then_some(rpm.size),
                sha256,
            };
            place(env, c, &relative, &expected, destination)
        },
        |d| Some(d.sha256.clone()),
    )
}

/// Places one output file of a task at `destination`, verified against its listed size.
pub fn download_task_output(
    env: &PhaseEnv,
    task: u64,
    filename: &str,
    destination: &str,
) -> Result<Download, KojiError> {
    audited(
        env,
        "download-task-output",
        &["listTaskOutput", DOWNLOAD],
        json!({ "task": task, "file": filename, "destination": destination }),
        |c| {
            let output = outputs_of(c, task)?
                .into_iter()
                .find(|o| o.filename == filename)
                .ok_or_else(|| {
                    KojiError::NotFound(format!("task {task} has no output `{filename}`"))
                })?;
            names::relative_path("a task output name", &output.filename)?;
            let relative = format!("work/tasks/{}/{task}/{filename}", task % 10000);
            let expected = Expected {
                size: Some(output.size),
                sha256: None,
            };
            place(env, c, &relative, &expected, destination)
        },
        |d| Some(d.sha256.clone()),
    )
}

/// `relative` (under the hub's file tree) to `destination`, verified. The local topdir
/// is read beneath its root (no `..`, no symlink out of it); the destination is
/// written beneath its mount without following a link.
fn place(
    env: &PhaseEnv,
    c: &Client,
    relative: &str,
    expected: &Expected,
    destination: &str,
) -> Result<Download, KojiError> {
    let grant = &env.grant;
    let target = locate(grant, destination, true).map_err(KojiError::from_host)?;
    let refused = |e: LinkError, file: &str| {
        KojiError::from_host(refusal(grant, e, file, &format!("{relative} -> {file}")))
    };
    let mut beneath = Beneath::default();
    let settings = c.settings();
    let local = settings.topdir.as_ref().filter(|d| d.is_dir());
    let (placed, origin): (Placed, Origin) = if let Some(topdir) = local {
        let source = Within {
            root: topdir,
            relative,
            links: Links::Inside,
        };
        let mut file = beneath
            .open_file(source)
            .map_err(|e| refused(e, &format!("{}/{relative}", topdir.display())))?;
        let into = beneath
            .create_file((&target).into())
            .map_err(|e| refused(e, &target.guest))?;
        let placed = place_verified(&mut file, expected, into, relative)?;
        (placed, Origin::Topdir)
    } else {
        let topurl = settings.topurl.as_deref().ok_or_else(|| {
            KojiError::Invalid(
                "the koji profile has neither a local topdir nor a topurl to download from"
                    .to_owned(),
            )
        })?;
        let url = format!("{}/{relative}", topurl.trim_end_matches('/'));
        let placed = c.fetch(&url, |_, body| {
            let into = beneath
                .create_file((&target).into())
                .map_err(|e| refused(e, &target.guest))?;
            place_verified(body, expected, into, relative)
        })?;
        (placed, Origin::Topurl)
    };
    Ok(Download {
        path: target.guest,
        size: placed.size,
        sha256: placed.sha256,
        origin,
    })
}

fn list<T>(
    value: &Value,
    method: &str,
    each: impl Fn(&Value) -> Result<T, KojiError>,
) -> Result<Vec<T>, KojiError> {
    value
        .as_array()
        .ok_or_else(|| KojiError::Invalid(format!("{method} did not return a list")))?
        .iter()
        .map(each)
        .collect()
}
