//! Koji's records (tag, build, RPM, event, task) read from XML-RPC structs, and JSON
//! both ways for the free-form parts (task parameters and results).

use base64::Engine as _;

use super::error::KojiError;
use super::xmlrpc::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: u64,
    pub name: String,
    pub arches: Vec<String>,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    pub id: u64,
    pub package_name: String,
    pub version: String,
    pub release: String,
    pub epoch: Option<u32>,
    pub nvr: String,
    /// 0 building, 1 complete, 2 deleted, 3 failed, 4 canceled.
    pub state: u32,
    pub owner: String,
    pub task_id: Option<u64>,
    /// The tag it was found in, for `listTagged` results.
    pub tag_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rpm {
    pub id: u64,
    pub build_id: u64,
    pub name: String,
    pub version: String,
    pub release: String,
    pub epoch: Option<u32>,
    pub arch: String,
    /// Of the unsigned copy.
    pub size: u64,
    pub payloadhash: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventInfo {
    pub id: u64,
    pub ts: f64,
}

/// Koji's task states, with its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Free,
    Open,
    Closed,
    Canceled,
    Assigned,
    Failed,
}

impl TaskState {
    pub fn from_number(n: i64) -> Option<TaskState> {
        Some(match n {
            0 => TaskState::Free,
            1 => TaskState::Open,
            2 => TaskState::Closed,
            3 => TaskState::Canceled,
            4 => TaskState::Assigned,
            5 => TaskState::Failed,
            _ => return None,
        })
    }

    pub fn number(self) -> i64 {
        self as i64
    }

    /// Closed, canceled or failed: it will not change again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskState::Closed | TaskState::Canceled | TaskState::Failed
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskInfo {
    pub id: u64,
    pub method: String,
    pub state: TaskState,
    pub arch: String,
    pub parent: Option<u64>,
    pub owner: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskOutput {
    pub filename: String,
    pub size: u64,
}

fn field<'v>(value: &'v Value, key: &str, what: &str) -> Result<&'v Value, KojiError> {
    match value.get(key) {
        Value::Nil if value.as_struct().is_none() => Err(KojiError::Invalid(format!(
            "{what}: expected a struct, found {value:?}"
        ))),
        v => Ok(v),
    }
}

fn id(value: &Value, key: &str, what: &str) -> Result<u64, KojiError> {
    field(value, key, what)?
        .as_i64()
        .and_then(|i| u64::try_from(i).ok())
        .ok_or_else(|| KojiError::Invalid(format!("{what}: `{key}` is not an id")))
}

fn opt_id(value: &Value, key: &str) -> Option<u64> {
    value.get(key).as_i64().and_then(|i| u64::try_from(i).ok())
}

fn text(value: &Value, key: &str, what: &str) -> Result<String, KojiError> {
    field(value, key, what)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| KojiError::Invalid(format!("{what}: `{key}` is not a string")))
}

fn epoch(value: &Value) -> Option<u32> {
    value
        .get("epoch")
        .as_i64()
        .and_then(|e| u32::try_from(e).ok())
}

impl Tag {
    pub fn from_value(v: &Value) -> Result<Tag, KojiError> {
        Ok(Tag {
            id: id(v, "id", "tag")?,
            name: text(v, "name", "tag")?,
            arches: v
                .get("arches")
                .as_str()
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            locked: v.get("locked").as_bool().unwrap_or(false),
        })
    }
}

impl Build {
    pub fn from_value(v: &Value) -> Result<Build, KojiError> {
        let what = "build";
        let name = match v.get("package_name") {
            Value::String(s) => s.clone(),
            _ => text(v, "name", what)?,
        };
        Ok(Build {
            id: match opt_id(v, "build_id") {
                Some(i) => i,
                None => id(v, "id", what)?,
            },
            version: text(v, "version", what)?,
            release: text(v, "release", what)?,
            epoch: epoch(v),
            nvr: text(v, "nvr", what)?,
            state: v.get("state").as_i64().unwrap_or(1) as u32,
            owner: v.get("owner_name").as_str().unwrap_or_default().to_owned(),
            task_id: opt_id(v, "task_id"),
            tag_name: v.get("tag_name").as_str().map(str::to_owned),
            package_name: name,
        })
    }
}

impl Rpm {
    pub fn from_value(v: &Value) -> Result<Rpm, KojiError> {
        let what = "rpm";
        Ok(Rpm {
            id: id(v, "id", what)?,
            build_id: id(v, "build_id", what)?,
            name: text(v, "name", what)?,
            version: text(v, "version", what)?,
            release: text(v, "release", what)?,
            epoch: epoch(v),
            arch: text(v, "arch", what)?,
            size: v.get("size").as_i64().unwrap_or(0).max(0) as u64,
            payloadhash: v.get("payloadhash").as_str().unwrap_or_default().to_owned(),
        })
    }

    /// `name-version-release.arch.rpm`
    pub fn filename(&self) -> String {
        format!(
            "{}-{}-{}.{}.rpm",
            self.name, self.version, self.release, self.arch
        )
    }
}

impl EventInfo {
    pub fn from_value(v: &Value) -> Result<EventInfo, KojiError> {
        Ok(EventInfo {
            id: id(v, "id", "event")?,
            ts: match v.get("ts") {
                Value::Double(d) => *d,
                Value::Int(i) => *i as f64,
                _ => 0.0,
            },
        })
    }
}

impl TaskInfo {
    pub fn from_value(v: &Value) -> Result<TaskInfo, KojiError> {
        let what = "task";
        let state = v.get("state").as_i64().and_then(TaskState::from_number);
        Ok(TaskInfo {
            id: id(v, "id", what)?,
            method: text(v, "method", what)?,
            state: state.ok_or_else(|| KojiError::Invalid("task: unknown state".into()))?,
            arch: v.get("arch").as_str().unwrap_or("noarch").to_owned(),
            parent: opt_id(v, "parent"),
            owner: opt_id(v, "owner"),
        })
    }
}

/// `listTaskOutput(task, stat=True)`: `{filename: {st_size: ...}}`.
pub fn task_outputs(v: &Value) -> Result<Vec<TaskOutput>, KojiError> {
    let files = v
        .as_struct()
        .ok_or_else(|| KojiError::Invalid("listTaskOutput: expected a struct".into()))?;
    Ok(files
        .iter()
        .map(|(name, stat)| TaskOutput {
            filename: name.clone(),
            size: match stat.get("st_size") {
                Value::Int(i) => *i as u64,
                Value::String(s) => s.parse().unwrap_or(0),
                _ => 0,
            },
        })
        .collect())
}

/// An XML-RPC value as JSON (datetimes and base64 as strings).
pub fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Nil => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Double(d) => J::from(*d),
        Value::String(s) | Value::DateTime(s) => J::String(s.clone()),
        Value::Base64(b) => J::String(base64::engine::general_purpose::STANDARD.encode(b)),
        Value::Array(a) => J::Array(a.iter().map(to_json).collect()),
        Value::Struct(s) => J::Object(s.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

/// JSON as an XML-RPC value.
pub fn from_json(v: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match v {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| Value::Double(n.as_f64().unwrap_or(0.0))),
        J::String(s) => Value::String(s.clone()),
        J::Array(a) => Value::Array(a.iter().map(from_json).collect()),
        J::Object(o) => Value::Struct(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect()),
    }
}
