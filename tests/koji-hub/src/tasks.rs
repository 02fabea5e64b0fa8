//! Tasks: submitted by `runroot`, `createImage`, `livemedia` or `buildContainer`, queued
//! FREE, picked up by worker threads (OPEN), and CLOSED with small real output files
//! under `<topdir>/work/tasks/<id % 10000>/<id>/`, or FAILED / CANCELED. A task whose
//! options hold `"fail": true` fails; `"duration_ms"` sets how long it runs.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pungi_host::capabilities::koji::model::TaskState;
use pungi_host::capabilities::koji::xmlrpc::{Fault, Value};

/// The methods that create a task, and where their arch argument is.
const TASK_METHODS: &[(&str, Option<usize>)] = &[
    ("runroot", Some(1)),
    ("createImage", Some(3)),
    ("livemedia", Some(2)),
    ("buildContainer", None),
];

struct Task {
    id: i64,
    method: String,
    params: Vec<Value>,
    options: BTreeMap<String, Value>,
    arch: String,
    state: TaskState,
    create_ts: f64,
    start_ts: Option<f64>,
    completion_ts: Option<f64>,
    result: Option<Result<Value, Fault>>,
    outputs: Vec<(String, u64)>,
}

struct Queue {
    tasks: Vec<Task>,
    stopping: bool,
}

/// The task table, shared by the request handlers and the workers.
#[derive(Clone)]
pub struct Tasks {
    inner: Arc<(Mutex<Queue>, Condvar)>,
    topdir: PathBuf,
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
    /// A table whose outputs go under `topdir`, with `workers` worker threads.
    pub fn start(topdir: PathBuf, workers: usize) -> Tasks {
        let tasks = Tasks {
            inner: Arc::new((
                Mutex::new(Queue {
                    tasks: Vec::new(),
                    stopping: false,
                }),
                Condvar::new(),
            )),
            topdir,
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
        let options = params
            .last()
            .and_then(Value::as_struct)
            .cloned()
            .unwrap_or_default();
        let arch = arch_at
            .and_then(|i| params.get(i))
            .and_then(Value::as_str)
            .unwrap_or("noarch")
            .to_owned();
        let mut queue = self.lock();
        let id = queue.tasks.len() as i64 + 1;
        queue.tasks.push(Task {
            id,
            method: method.to_owned(),
            params: params.to_vec(),
            options,
            arch,
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
            let (id, method, arch, options, params) = {
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
                            t.arch.clone(),
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
            let outcome = if options.get("fail").and_then(Value::as_bool) == Some(true) {
                Err(Fault {
                    code: 1000,
                    message: format!("{method} task {id} failed (asked to by its options)"),
                })
            } else {
                self.produce(id, &method, &arch, &params)
                    .map_err(|e| Fault {
                        code: 1000,
                        message: format!("{method} task {id}: {e}"),
                    })
            };
            let mut queue = self.lock();
            if let Some(t) = queue.tasks.iter_mut().find(|t| t.id == id)
                && t.state == TaskState::Open
            {
                t.completion_ts = Some(now());
                match outcome {
                    Ok(files) => {
                        t.state = TaskState::Closed;
                        t.result = Some(Ok(Value::record([
                            ("task_id", Value::Int(id)),
                            ("arch", Value::str(arch.clone())),
                            (
                                "files",
                                Value::Array(
                                    files.iter().map(|(f, _)| Value::str(f.clone())).collect(),
                                ),
                            ),
                        ])));
                        t.outputs = files;
                    }
                    Err(fault) => {
                        t.state = TaskState::Failed;
                        t.result = Some(Err(fault));
                    }
                }
            }
        }
    }

    /// Writes the task's output files; returns their names and sizes.
    fn produce(
        &self,
        id: i64,
        method: &str,
        arch: &str,
        params: &[Value],
    ) -> std::io::Result<Vec<(String, u64)>> {
        let dir = self.topdir.join(format!("work/tasks/{}/{id}", id % 10000));
        std::fs::create_dir_all(&dir)?;
        let name = params
            .first()
            .and_then(Value::as_str)
            .unwrap_or("image")
            .replace('/', "_");
        let nvra = |ext: &str| {
            let version = params.get(1).and_then(Value::as_str).unwrap_or("1");
            format!("{name}-{version}-{id}.{arch}.{ext}")
        };
        let mut files: Vec<(String, Vec<u8>)> = vec![(
            format!("{method}.log"),
            format!("{method} task {id} on {arch}\nparams: {params:?}\nexit status 0\n")
                .into_bytes(),
        )];
        match method {
            "runroot" => {}
            "createImage" => files.push((nvra("qcow2"), qcow2())),
            "livemedia" => files.push((nvra("iso"), iso(&name))),
            _ => files.push((
                format!("docker-image-{id}.json"),
                format!("{{\"task\": {id}, \"image\": \"{name}\", \"arch\": \"{arch}\"}}\n")
                    .into_bytes(),
            )),
        }
        files
            .into_iter()
            .map(|(file, bytes)| {
                std::fs::write(dir.join(&file), &bytes)?;
                Ok((file, bytes.len() as u64))
            })
            .collect()
    }
}

/// A qcow2 header (version 3, empty 1 MiB disk).
fn qcow2() -> Vec<u8> {
    let mut bytes = vec![0u8; 512];
    bytes[..4].copy_from_slice(b"QFI\xfb");
    bytes[4..8].copy_from_slice(&3u32.to_be_bytes());
    bytes[24..32].copy_from_slice(&(1u64 << 20).to_be_bytes());
    bytes
}

/// An ISO 9660 volume: system area plus a primary volume descriptor and terminator.
fn iso(label: &str) -> Vec<u8> {
    let mut bytes = vec![0u8; 16 * 2048 + 2 * 2048];
    let pvd = 16 * 2048;
    bytes[pvd] = 1;
    bytes[pvd + 1..pvd + 6].copy_from_slice(b"CD001");
    bytes[pvd + 6] = 1;
    let label: Vec<u8> = label.bytes().take(32).collect();
    bytes[pvd + 40..pvd + 72].fill(b' ');
    bytes[pvd + 40..pvd + 40 + label.len()].copy_from_slice(&label);
    let end = pvd + 2048;
    bytes[end] = 255;
    bytes[end + 1..end + 6].copy_from_slice(b"CD001");
    bytes[end + 6] = 1;
    bytes
}

fn info(t: &Task, request: bool) -> Value {
    let mut value = Value::record([
        ("id", Value::Int(t.id)),
        ("method", Value::str(t.method.clone())),
        ("state", Value::Int(t.state.number())),
        ("arch", Value::str(t.arch.clone())),
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
