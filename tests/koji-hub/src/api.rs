//! The hub XML-RPC methods, answered from the state as Koji answers them (field names,
//! nil for "no such thing" where Koji is not strict, GenericError faults where it is).

use std::collections::BTreeMap;

use pungi_host::capabilities::koji::xmlrpc::{Fault, Value, fault_value};

use crate::state::{Build, Indexed, Rpm, Tag, nvr_of};
use crate::tasks::Tasks;

const GENERIC_ERROR: i32 = 1000;
const PARAMETER_ERROR: i32 = 1019;

/// Positional and keyword (`__starstar`) arguments of one call.
struct Args {
    positional: Vec<Value>,
    keywords: BTreeMap<String, Value>,
}

impl Args {
    fn new(mut params: Vec<Value>) -> Args {
        let mut keywords = BTreeMap::new();
        if let Some(Value::Struct(last)) = params.last()
            && last.get("__starstar").and_then(Value::as_bool) == Some(true)
        {
            keywords = last.clone();
            keywords.remove("__starstar");
            params.pop();
        }
        Args {
            positional: params,
            keywords,
        }
    }

    /// Argument `index`, or keyword `name`; `Nil` when neither is given.
    fn get(&self, index: usize, name: &str) -> Value {
        self.positional
            .get(index)
            .or_else(|| self.keywords.get(name))
            .cloned()
            .unwrap_or(Value::Nil)
    }

    fn flag(&self, index: usize, name: &str) -> bool {
        self.get(index, name).as_bool().unwrap_or(false)
    }

    fn event(&self, index: usize) -> Option<i64> {
        self.get(index, "event").as_i64()
    }
}

fn generic(message: String) -> Fault {
    Fault {
        code: GENERIC_ERROR,
        message,
    }
}

/// Answers one call (multiCall included).
pub fn dispatch(
    state: &Indexed,
    tasks: &Tasks,
    method: &str,
    params: Vec<Value>,
) -> Result<Value, Fault> {
    if method == "multiCall" {
        return multicall(state, tasks, params);
    }
    let args = Args::new(params);
    match method {
        "getAPIVersion" => Ok(Value::Int(1)),
        "getKojiVersion" => Ok(Value::str("1.35.0")),
        "hello" => Ok(Value::str("Hello World")),
        "getLoggedInUser" | "getHost" | "getMavenBuild" | "getWinBuild" | "getBuildroot" => {
            Ok(Value::Nil)
        }
        "listBuildroots"
        | "listBuilds"
        | "listArchives"
        | "getChangelogEntries"
        | "getTaskChildren" => Ok(Value::Array(vec![])),
        "getAllPerms" => Ok(Value::Array(vec![])),
        "getUser" => Ok(user(&args.get(0, "userInfo"))),
        "getLastEvent" => {
            let event = state.last_event();
            Ok(Value::record([
                ("id", Value::Int(event.id)),
                ("ts", Value::Double(event.ts)),
            ]))
        }
        "getEvent" => {
            let id = args.get(0, "id");
            let event = state
                .state
                .events
                .iter()
                .find(|e| Some(e.id) == id.as_i64())
                .ok_or_else(|| generic(format!("No such event: {id:?}")))?;
            Ok(Value::record([
                ("id", Value::Int(event.id)),
                ("ts", Value::Double(event.ts)),
            ]))
        }
        "getTag" => {
            let tag = find_tag(state, &args.get(0, "tagInfo"));
            match tag {
                Some(t) => Ok(tag_value(t)),
                None if args.flag(1, "strict") => Err(generic(format!(
                    "No such tagInfo: {:?}",
                    args.get(0, "tagInfo")
                ))),
                None => Ok(Value::Nil),
            }
        }
        "listTags" => Ok(list_tags(state, &args.get(0, "build"))),
        "listTagged" => list_tagged(state, &args).map(|builds| {
            Value::Array(
                builds
                    .into_iter()
                    .map(|(b, t)| tagged_value(b, t))
                    .collect(),
            )
        }),
        "listTaggedRPMS" => {
            let builds = list_tagged(state, &args)?;
            let arches = arch_filter(&args.get(5, "arch"));
            let rpms = builds
                .iter()
                .flat_map(|(b, _)| b.rpms.iter().map(move |r| (*b, r)))
                .filter(|(_, r)| arches.as_ref().is_none_or(|a| a.contains(&r.arch)))
                .map(|(b, r)| rpm_value(b, r))
                .collect();
            let builds = builds
                .into_iter()
                .map(|(b, t)| tagged_value(b, t))
                .collect();
            Ok(Value::Array(vec![Value::Array(rpms), Value::Array(builds)]))
        }
        "getBuild" => match find_build(state, &args.get(0, "buildInfo"))
            .cloned()
            .or_else(|| tasks.build(&args.get(0, "buildInfo")))
        {
            Some(b) => Ok(build_value(&b)),
            None if args.flag(1, "strict") => Err(generic(format!(
                "No such build: {:?}",
                args.get(0, "buildInfo")
            ))),
            None => Ok(Value::Nil),
        },
        "listRPMs" => {
            let Some(build) = args
                .get(0, "buildID")
                .as_i64()
                .and_then(|id| state.build(id))
            else {
                return Ok(Value::Array(vec![]));
            };
            let arches = arch_filter(&args.get(5, "arches"));
            Ok(Value::Array(
                build
                    .rpms
                    .iter()
                    .filter(|r| arches.as_ref().is_none_or(|a| a.contains(&r.arch)))
                    .map(|r| rpm_value(build, r))
                    .collect(),
            ))
        }
        "getRPM" => match find_rpm(state, &args.get(0, "rpminfo")) {
            Some((b, r)) => Ok(rpm_value(b, r)),
            None if args.flag(1, "strict") => Err(generic(format!(
                "No such rpm: {:?}",
                args.get(0, "rpminfo")
            ))),
            None => Ok(Value::Nil),
        },
        "getRPMChecksums" => {
            let id = args.get(0, "rpm_id");
            let (_, rpm) = id
                .as_i64()
                .and_then(|i| state.rpm(i))
                .ok_or_else(|| generic(format!("No such rpm: {id:?}")))?;
            let sum = |hex: &str| Value::record([("sha256", Value::str(hex))]);
            let mut copies: BTreeMap<String, Value> =
                rpm.sigs.iter().map(|(k, s)| (k.clone(), sum(s))).collect();
            copies.insert(String::new(), sum(&rpm.sha256));
            Ok(Value::Struct(copies))
        }
        "queryRPMSigs" => {
            let id = args.get(0, "rpm_id").as_i64();
            let key = args.get(1, "sigkey");
            let sigs = state
                .state
                .builds
                .iter()
                .flat_map(|b| &b.rpms)
                .filter(|r| id.is_none_or(|i| i == r.id))
                .flat_map(|r| r.sigs.keys().map(move |k| (r, k)))
                .filter(|(_, k)| key.as_str().is_none_or(|want| want == k.as_str()))
                .map(|(r, k)| {
                    Value::record([
                        ("rpm_id", Value::Int(r.id)),
                        ("sigkey", Value::str(k.clone())),
                        ("sighash", Value::str(r.payloadhash.clone())),
                    ])
                })
                .collect();
            Ok(Value::Array(sigs))
        }
        "getRPMHeaders" => Ok(Value::Struct(BTreeMap::new())),
        _ => tasks.call(method, &args.positional, &args.keywords),
    }
}

fn multicall(state: &Indexed, tasks: &Tasks, params: Vec<Value>) -> Result<Value, Fault> {
    let Some(Value::Array(calls)) = params.into_iter().next() else {
        return Err(Fault {
            code: PARAMETER_ERROR,
            message: "multiCall takes a list of calls".into(),
        });
    };
    let results = calls
        .into_iter()
        .map(|call| {
            let method = call
                .get("methodName")
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let params = call.get("params").as_array().unwrap_or_default().to_vec();
            match dispatch(state, tasks, &method, params) {
                Ok(value) => Value::Array(vec![value]),
                Err(fault) => fault_value(&fault),
            }
        })
        .collect();
    Ok(Value::Array(results))
}

fn user(info: &Value) -> Value {
    let (id, name) = match info {
        Value::String(s) => (1, s.clone()),
        other => (other.as_i64().unwrap_or(1), "demo".to_owned()),
    };
    Value::record([
        ("id", Value::Int(id)),
        ("name", Value::str(name)),
        ("status", Value::Int(0)),
        ("usertype", Value::Int(0)),
        ("krb_principals", Value::Array(vec![])),
    ])
}

fn find_tag<'s>(state: &'s Indexed, info: &Value) -> Option<&'s Tag> {
    match info {
        Value::Int(id) => state.tag(*id),
        Value::String(name) => state.tag_by_name(name),
        Value::Struct(_) => {
            find_tag(state, info.get("id")).or_else(|| find_tag(state, info.get("name")))
        }
        _ => None,
    }
}

fn find_build<'s>(state: &'s Indexed, info: &Value) -> Option<&'s Build> {
    match info {
        Value::Int(id) => state.build(*id),
        Value::String(nvr) => match nvr.parse::<i64>() {
            Ok(id) => state.build(id),
            Err(_) => state.build_by_nvr(nvr),
        },
        _ => None,
    }
}

fn find_rpm<'s>(state: &'s Indexed, info: &Value) -> Option<(&'s Build, &'s Rpm)> {
    match info {
        Value::Int(id) => state.rpm(*id),
        Value::String(text) => {
            if let Ok(id) = text.parse::<i64>() {
                return state.rpm(id);
            }
            let text = text.strip_suffix(".rpm").unwrap_or(text);
            state.state.builds.iter().find_map(|b| {
                b.rpms
                    .iter()
                    .find(|r| format!("{}-{}-{}.{}", r.name, b.version, b.release, r.arch) == text)
                    .map(|r| (b, r))
            })
        }
        _ => None,
    }
}

fn arch_filter(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(a) => Some(vec![a.clone()]),
        Value::Array(list) => Some(
            list.iter()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    }
}

/// `listTagged(tag, event, inherit, prefix, latest, package, ...)`.
fn list_tagged<'s>(state: &'s Indexed, args: &Args) -> Result<Vec<(&'s Build, &'s Tag)>, Fault> {
    let info = args.get(0, "tag");
    let tag =
        find_tag(state, &info).ok_or_else(|| generic(format!("No such tagInfo: {info:?}")))?;
    let event = args.event(1);
    let inherit = args.flag(2, "inherit");
    let latest = args.flag(4, "latest");
    let package = args.get(5, "package");
    let chain = if inherit {
        state.inheritance(tag)
    } else {
        vec![tag]
    };
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::new();
    for t in chain {
        for (build, _) in state.tagged_in(t.id, event) {
            if package.as_str().is_some_and(|p| p != build.name) {
                continue;
            }
            if latest && !seen.insert(build.name.as_str()) {
                continue;
            }
            found.push((build, t));
        }
    }
    Ok(found)
}

fn list_tags(state: &Indexed, build: &Value) -> Value {
    let build = find_build(state, build);
    Value::Array(
        state
            .state
            .tags
            .iter()
            .filter(|t| {
                build.is_none_or(|b| {
                    state
                        .tagged_in(t.id, None)
                        .iter()
                        .any(|(x, _)| x.id == b.id)
                })
            })
            .map(tag_value)
            .collect(),
    )
}

fn tag_value(t: &Tag) -> Value {
    Value::record([
        ("id", Value::Int(t.id)),
        ("name", Value::str(t.name.clone())),
        ("arches", Value::str(t.arches.clone())),
        ("locked", Value::Bool(t.locked)),
        ("perm", Value::Nil),
        ("perm_id", Value::Nil),
        ("maven_support", Value::Bool(false)),
        ("maven_include_all", Value::Bool(false)),
        ("extra", Value::Struct(BTreeMap::new())),
    ])
}

fn build_value(b: &Build) -> Value {
    Value::record([
        ("id", Value::Int(b.id)),
        ("build_id", Value::Int(b.id)),
        ("package_id", Value::Int(b.id)),
        ("package_name", Value::str(b.name.clone())),
        ("name", Value::str(b.name.clone())),
        ("version", Value::str(b.version.clone())),
        ("release", Value::str(b.release.clone())),
        ("epoch", Value::opt_int(b.epoch)),
        ("nvr", Value::str(nvr_of(b))),
        ("state", Value::Int(1)),
        ("owner_id", Value::Int(1)),
        ("owner_name", Value::str(b.owner.clone())),
        ("task_id", Value::Nil),
        ("volume_id", Value::Int(0)),
        ("volume_name", Value::str("DEFAULT")),
        ("creation_event_id", Value::Int(b.creation_event)),
        ("creation_time", Value::str("2026-09-21 10:00:00")),
        ("creation_ts", Value::Double(1_790_000_000.0)),
        ("start_time", Value::str("2026-09-21 10:00:00")),
        ("start_ts", Value::Double(1_790_000_000.0)),
        ("completion_time", Value::str("2026-09-21 10:00:00")),
        ("completion_ts", Value::Double(1_790_000_000.0)),
        ("source", Value::Nil),
        ("extra", Value::Nil),
        ("cg_id", Value::Nil),
        ("cg_name", Value::Nil),
        ("draft", Value::Bool(false)),
        ("promoter_id", Value::Nil),
        ("promoter_name", Value::Nil),
        ("promotion_time", Value::Nil),
        ("promotion_ts", Value::Nil),
    ])
}

fn tagged_value(b: &Build, tag: &Tag) -> Value {
    let mut value = build_value(b);
    if let Value::Struct(s) = &mut value {
        s.insert("tag_id".into(), Value::Int(tag.id));
        s.insert("tag_name".into(), Value::str(tag.name.clone()));
        s.insert("create_event".into(), Value::Int(b.creation_event));
    }
    value
}

fn rpm_value(b: &Build, r: &Rpm) -> Value {
    Value::record([
        ("id", Value::Int(r.id)),
        ("build_id", Value::Int(b.id)),
        ("name", Value::str(r.name.clone())),
        ("version", Value::str(b.version.clone())),
        ("release", Value::str(b.release.clone())),
        ("epoch", Value::opt_int(b.epoch)),
        ("arch", Value::str(r.arch.clone())),
        (
            "nvr",
            Value::str(format!("{}-{}-{}", r.name, b.version, b.release)),
        ),
        ("size", Value::Int(r.size)),
        ("payloadhash", Value::str(r.payloadhash.clone())),
        ("buildtime", Value::Int(1_790_000_000)),
        ("buildroot_id", Value::Nil),
        ("external_repo_id", Value::Int(0)),
        ("external_repo_name", Value::str("INTERNAL")),
        ("metadata_only", Value::Bool(false)),
        ("extra", Value::Nil),
        ("draft", Value::Bool(false)),
    ])
}
