//! Tasks: submitted by `runroot`, `buildImageOz`, `createImage`, `livecd`, `appliance`,
//! `livemedia` or `buildContainer`, queued FREE, picked up by worker threads (OPEN), and
//! CLOSED with small real output files (see `outputs`) under
//! `<topdir>/work/tasks/<id % 10000>/<id>/`, or FAILED (with their log) / CANCELED. A task
//! whose options hold `"fail": true`, or whose request contains one of the hub's
//! `--fail-tasks` patterns, fails; `"duration_ms"` sets how long it runs. A non-scratch
//! `buildContainer` task makes a build `getBuild` then knows.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pungi_host::capabilities::koji::model::TaskState;
use pungi_host::capabilities::koji::xmlrpc::{Fault, Value};

use crate::outputs;
use crate::state::Build;

/// The methods that create a task, and where their arch (or list of arches) argument is.
const TASK_METHODS: &[(&str, Option<usize>)] = &[
    ("runroot", Some(1)),
    ("buildImageOz", Some(2)),
    ("createImage", Some(3)),
    ("livecd", Some(2)),
    ("appliance", Some(2)),
    ("livemedia", Some(2)),
    ("buildContainer", None),
];

struct Task {
    id: i64,
    method: String,
    params: Vec<Value>,
    options: BTreeMap<String, Value>,
    arches: Vec<String>,
    state: TaskState,
    create_ts: f64,
    start_ts: Option<f64>,
    completion_ts: Option<f64>,
    result: Option<Result<Value, Fault>>,
    outputs: Vec<(String, u64)>,
}

struct Queue {
    tasks: Vec<Task>,
    /// Builds made by container tasks.
    builds: Vec<Build>,
    stopping: bool,
}

/// The task table, shared by the request handlers and the workers.
#[derive(Clone)]
pub struct Tasks {
    inner: Arc<(Mutex<Queue>, Condvar)>,
    topdir: PathBuf,
    /// A task whose request contains one of these fails.
    fail_patterns: Arc<Vec<String>>,
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn no_such_task(id: &Value) -> Fault {
    Fault {
        code: 1000,
        message: format!("No such task: {id:?}"),
    }
}

impl Tasks {
    /// A table whose outputs go under `topdir`, with `workers` worker threads; tasks
    /// whose request contains one of `fail_patterns` fail.
    pub fn start(topdir: PathBuf, workers: usize, fail_patterns: Vec<String>) -> Tasks {
        let tasks = Tasks {
            inner: Arc::new((
                Mutex::new(Queue {
                    tasks: Vec::new(),
                    builds: Vec::new(),
                    stopping: false,
                }),
                Condvar::new(),
            )),
            topdir,
            fail_patterns: Arc::new(fail_patterns),
        };
        for _ in 0..workers.max(1) {
            let me = tasks.clone();
            std::thread::spawn(move || me.work());
        }
        tasks
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.inner.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A build a container task made, by id or NVR.
    pub fn build(&self, info: &Value) -> Option<Build> {
        let queue = self.lock();
        queue
            .builds
            .iter()
            .find(|b| match info {
                Value::Int(id) => b.id == *id,
                Value::String(text) => {
                    text.parse::<i64>().ok() == Some(b.id)
                        || format!("{}-{}-{}", b.name, b.version, b.release) == *text
                }
                _ => false,
            })
            .cloned()
    }

    /// The task methods of the hub API; anything else is an unknown method.
    pub fn call(
        &self,
        method: &str,
        params: &[Value],
        keywords: &BTreeMap<String, Value>,
    ) -> Result<Value, Fault> {
        if let Some((_, arch_at)) = TASK_METHODS.iter().find(|(m, _)| *m == method) {
            return Ok(Value::Int(self.submit(method, params, *arch_at)));
        }
        let id = params
            .first()
            .cloned()
            .or_else(|| keywords.get("task_id").cloned())
            .unwrap_or(Value::Nil);
        let flag = |i: usize, name: &str| {
            params
                .get(i)
                .or_else(|| keywords.get(name))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let mut queue = self.lock();
        let task = id
            .as_i64()
            .and_then(|i| queue.tasks.iter_mut().find(|t| t.id == i));
        match method {
            "getTaskInfo" => Ok(task
                .map(|t| info(t, flag(1, "request")))
                .unwrap_or(Value::Nil)),
            "getTaskRequest" => Ok(Value::Array(
                task.ok_or_else(|| no_such_task(&id))?.params.clone(),
            )),
            "getTaskResult" => match task.ok_or_else(|| no_such_task(&id))?.result.clone() {
                Some(result) => result,
                None => Err(Fault {
                    code: 1000,
                    message: format!("Task {id:?} is not finished"),
                }),
            },
            "listTaskOutput" => {
                let task = task.ok_or_else(|| no_such_task(&id))?;
                Ok(outputs(task, flag(1, "stat"), flag(2, "all_volumes")))
            }
            "cancelTask" => {
                let task = task.ok_or_else(|| no_such_task(&id))?;
                if !task.state.is_final() {
                    task.state = TaskState::Canceled;
                    task.completion_ts = Some(now());
                    task.result = Some(Err(Fault {
                        code: 1000,
                        message: "canceled".into(),
                    }));
                }
                Ok(Value::Nil)
            }
            _ => Err(Fault {
                code: 1000,
                message: format!("Invalid method: {method}"),
            }),
        }
    }

    fn submit(&self, method: &str, params: &[Value], arch_at: Option<usize>) -> i64 {
        // The options struct and the keyword arguments, whichever the call has.
        let options: BTreeMap<String, Value> = params
            .iter()
            .filter_map(Value::as_struct)
            .flat_map(|s| s.clone())
            .collect();
        let arches = match arch_at.and_then(|i| params.get(i)) {
            Some(Value::String(arch)) => arch.split_whitespace().map(str::to_owned).collect(),
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        let mut queue = self.lock();
        let id = queue.tasks.len() as i64 + 1;
        queue.tasks.push(Task {
            id,
            method: method.to_owned(),
            params: params.to_vec(),
            options,
            arches,
            state: TaskState::Free,
            create_ts: now(),
            start_ts: None,
            completion_ts: None,
            result: None,
            outputs: Vec::new(),
        });
        drop(queue);
        self.inner.1.notify_one();
        id
    }

    /// A worker: takes the oldest FREE task, runs it, repeats.
    fn work(&self) {
        loop {
            let (id, method, arches, options, params) = {
                let mut queue = self.lock();
                loop {
                    if queue.stopping {
                        return;
                    }
                    if let Some(t) = queue.tasks.iter_mut().find(|t| t.state == TaskState::Free) {
                        t.state = TaskState::Open;
                        t.start_ts = Some(now());
                        break (
                            t.id,
                            t.method.clone(),
                            t.arches.clone(),
                            t.options.clone(),
                            t.params.clone(),
                        );
                    }
                    queue = self.inner.1.wait(queue).unwrap_or_else(|p| p.into_inner());
                }
            };
            let duration = options
                .get("duration_ms")
                .and_then(Value::as_i64)
                .unwrap_or(200);
            std::thread::sleep(Duration::from_millis(duration.max(0) as u64));
            let request = format!("{params:?}");
            let failing = options.get("fail").and_then(Value::as_bool) == Some(true)
                || self
                    .fail_patterns
                    .iter()
                    .any(|p| request.contains(p.as_str()));
            let dir = self.topdir.join(format!("work/tasks/{}/{id}", id % 10000));
            let produced = outputs::produce(&outputs::Request {
                id,
                method: &method,
                params: &params,
                options: &options,
                arches: &arches,
                dir: &dir,
            });
            let outcome = match produced {
                _ if failing => Err(format!("{method} task {id} failed (asked to)")),
                Err(e) => Err(format!("{method} task {id}: {e}")),
                Ok(files) => Ok(files),
            };
            let logs = vec![format!("{method}.log")];
            let mut queue = self.lock();
            let build = match (&outcome, method.as_str()) {
                (Ok(_), "buildContainer") => container_build(&mut queue, id, &params, &options),
                _ => None,
            };
            if let Some(t) = queue.tasks.iter_mut().find(|t| t.id == id)
                && t.state == TaskState::Open
            {
                t.completion_ts = Some(now());
                match outcome {
                    Ok(files) => {
                        t.state = TaskState::Closed;
                        t.result = Some(Ok(result(id, &method, &arches, &files, build)));
                        t.outputs = sizes(&dir, files);
                    }
                    Err(message) => {
                        t.state = TaskState::Failed;
                        t.result = Some(Err(Fault {
                            code: 1000,
                            message,
                        }));
                        t.outputs = sizes(&dir, logs);
                    }
                }
            }
        }
    }
}

/// The files that exist, with their sizes.
fn sizes(dir: &std::path::Path, files: Vec<String>) -> Vec<(String, u64)> {
    files
        .into_iter()
        .filter_map(|f| std::fs::metadata(dir.join(&f)).ok().map(|m| (f, m.len())))
        .collect()
}

/// `getTaskResult` of a closed task: `buildContainer`'s `koji_builds` and
/// `repositories`, the files for the others.
fn result(
    id: i64,
    method: &str,
    arches: &[String],
    files: &[String],
    build: Option<Build>,
) -> Value {
    if method == "buildContainer" {
        let repositories = build
            .as_ref()
            .map(|b| {
                format!(
                    "registry.example.com/{}:{}-{}",
                    b.name, b.version, b.release
                )
            })
            .unwrap_or_else(|| format!("registry.example.com/scratch:task-{id}"));
        return Value::record([
            (
                "koji_builds",
                Value::Array(build.iter().map(|b| Value::str(b.id.to_string())).collect()),
            ),
            ("repositories", Value::Array(vec![Value::str(repositories)])),
        ]);
    }
    Value::record([
        ("task_id", Value::Int(id)),
        ("arch", Value::str(arches.join(" "))),
        (
            "files",
            Value::Array(files.iter().map(|f| Value::str(f.clone())).collect()),
        ),
    ])
}

/// The build a non-scratch `buildContainer(source, target, opts)` makes: named after
/// the source repository, version from `opts["version"]` or 1, release the task id.
fn container_build(
    queue: &mut Queue,
    id: i64,
    params: &[Value],
    options: &BTreeMap<String, Value>,
) -> Option<Build> {
    if options.get("scratch").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let source = params
        .first()
        .and_then(Value::as_str)
        .unwrap_or("container");
    let name = source
        .split('#')
        .next()
        .unwrap_or(source)
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("container")
        .trim_end_matches(".git");
    let build = Build {
        id: 1_000_000 + id,
        name: format!("{name}-container"),
        version: options
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or("1")
            .to_owned(),
        release: id.to_string(),
        epoch: None,
        owner: "osbs".into(),
        creation_event: 0,
        rpms: Vec::new(),
    };
    queue.builds.push(build.clone());
    Some(build)
}

fn info(t: &Task, request: bool) -> Value {
    let mut value = Value::record([
        ("id", Value::Int(t.id)),
        ("method", Value::str(t.method.clone())),
        ("state", Value::Int(t.state.number())),
        (
            "arch",
            Value::str(match t.arches.as_slice() {
                [one] => one.clone(),
                _ => "noarch".to_owned(),
            }),
        ),
        ("label", Value::Nil),
        ("parent", Value::Nil),
        ("owner", Value::Int(1)),
        ("host_id", Value::Nil),
        ("channel_id", Value::Int(1)),
        ("priority", Value::Int(20)),
        ("weight", Value::Double(1.0)),
        ("waiting", Value::Nil),
        ("awaited", Value::Nil),
        ("create_ts", Value::Double(t.create_ts)),
        (
            "start_ts",
            t.start_ts.map(Value::Double).unwrap_or(Value::Nil),
        ),
        (
            "completion_ts",
            t.completion_ts.map(Value::Double).unwrap_or(Value::Nil),
        ),
    ]);
    if request && let Value::Struct(s) = &mut value {
        s.insert("request".into(), Value::Array(t.params.clone()));
    }
    value
}

/// `listTaskOutput`: names, or `{name: stat}`, or `{name: [volumes]}`.
fn outputs(t: &Task, stat: bool, all_volumes: bool) -> Value {
    if !stat && !all_volumes {
        return Value::Array(
            t.outputs
                .iter()
                .map(|(f, _)| Value::str(f.clone()))
                .collect(),
        );
    }
    Value::Struct(
        t.outputs
            .iter()
            .map(|(f, size)| {
                let entry = if stat {
                    Value::record([
                        ("st_size", Value::str(size.to_string())),
                        (
                            "st_mtime",
                            Value::str(t.completion_ts.unwrap_or(0.0).to_string()),
                        ),
                    ])
                } else {
                    Value::Array(vec![Value::str("DEFAULT")])
                };
                (f.clone(), entry)
            })
            .collect(),
    )
}
