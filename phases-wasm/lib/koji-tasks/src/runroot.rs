//! Koji runroot tasks (`koji runroot`): a shell command run on a builder of `arch` in a
//! buildroot of `runroot_tag`, with `runroot_channel` and the phase's
//! `runroot_weights`. The phase and the builder share no file system, so what the
//! command makes comes back as the task's output files (`upload_logs`).

use pungi_phase_sdk::{Context, PhaseError};
use serde_json::{Value, json};

/// The runroot settings of one phase.
pub struct Runroot {
    tag: String,
    channel: Option<String>,
    weight: Option<f64>,
}

impl Runroot {
    /// Checks that `phase` runs in Koji (`runroot_method`, per phase or global) and reads
    /// the tag, channel and weight.
    pub fn read(ctx: &Context, phase: &str) -> Result<Self, PhaseError> {
        let method = match ctx.option::<Value>("runroot_method")? {
            Some(Value::String(m)) => Some(m),
            Some(Value::Object(per_phase)) => per_phase
                .get(phase)
                .and_then(Value::as_str)
                .map(str::to_owned),
            _ => None,
        }
        .or(ctx.option::<String>("global_runroot_method")?);
        if method.as_deref() != Some("koji") {
            return Err(PhaseError::config(format!(
                "{phase} runs its command in a Koji runroot here: set runroot_method = \"koji\" \
                 (or {{\"{phase}\": \"koji\"}}); it is {}",
                method.map_or("unset".to_owned(), |m| format!("{m:?}"))
            )));
        }
        let tag = ctx.option::<String>("runroot_tag")?.ok_or_else(|| {
            PhaseError::config(format!(
                "{phase} needs runroot_tag (the Koji build tag of the runroot)"
            ))
        })?;
        let weights: serde_json::Map<String, Value> =
            ctx.option_or("runroot_weights", serde_json::Map::new())?;
        Ok(Runroot {
            tag,
            channel: ctx.option::<Option<String>>("runroot_channel")?.flatten(),
            weight: weights.get(phase).and_then(Value::as_f64),
        })
    }

    /// `runroot(tag, arch, command, **opts)` as `koji runroot` calls it; `upload` are the
    /// paths (relative to the command's directory) sent back as task output.
    pub fn params(&self, arch: &str, command: &str, packages: &[String], upload: &[&str]) -> Value {
        let mut opts = serde_json::Map::new();
        opts.insert("channel".into(), json!(self.channel));
        opts.insert("packages".into(), json!(packages));
        opts.insert("mounts".into(), json!([]));
        opts.insert("new_chroot".into(), json!(true));
        opts.insert("upload_logs".into(), json!(upload));
        if let Some(weight) = self.weight {
            opts.insert("weight".into(), json!(weight));
        }
        opts.insert("__starstar".into(), json!(true));
        json!([self.tag, arch, command, Value::Object(opts)])
    }
}

/// A word for `sh`, in single quotes unless it needs none.
pub fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_=./:,+@%".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// Words joined into one `sh` command line.
pub fn join(words: &[String]) -> String {
    words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_sh() {
        let words = [
            "a".to_owned(),
            "b c".to_owned(),
            "it's".to_owned(),
            String::new(),
        ];
        assert_eq!(join(&words), "a 'b c' 'it'\\''s' ''");
    }
}
