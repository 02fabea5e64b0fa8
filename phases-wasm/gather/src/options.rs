//! The gather options of the compose config, resolved for one variant and arch the way
//! Pungi resolves them.

use indexmap::IndexMap;
use pungi_config::{Value, get_arch_variant_data};
use pungi_phase_sdk::{Context, PhaseError};

/// How a variant's package list grows beyond its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Add the dependency closure of every package (`gather_method = "deps"`).
    Deps,
    /// Take the inputs as they are (`"nodeps"`).
    NoDeps,
}

/// The per-variant/per-arch options Gather reads, as parsed config values.
pub struct GatherOptions {
    options: IndexMap<String, Value>,
    method: Value,
    /// Fail the compose when a dependency cannot be resolved (`check_deps`, default on).
    pub check_deps: bool,
}

impl GatherOptions {
    pub fn read(ctx: &Context) -> Result<Self, PhaseError> {
        let mut options = IndexMap::new();
        for name in ["additional_packages", "filter_packages"] {
            if let Some(value) = ctx.option::<Value>(name)? {
                options.insert(name.to_owned(), value);
            }
        }
        Ok(GatherOptions {
            options,
            method: ctx.option_or("gather_method", Value::Str("deps".into()))?,
            check_deps: ctx.option_or("check_deps", true)?,
        })
    }

    /// `gather_method`: a string, or `{variant_regex: method | {source: method}}` where
    /// the first matching variant entry wins and its `comps` source decides.
    pub fn method(&self, variant: &str) -> Result<Method, PhaseError> {
        let chosen = match &self.method {
            Value::Dict(entries) => entries
                .iter()
                .find(|(pattern, _)| {
                    pattern
                        .as_str()
                        .and_then(|p| pungi_config::VariantPattern::new(p).ok())
                        .is_some_and(|p| p.matches(variant))
                })
                .map(|(_, method)| match method {
                    Value::Dict(by_source) => by_source
                        .iter()
                        .find(|(source, _)| source.as_str() == Some("comps"))
                        .or(by_source.first())
                        .map(|(_, m)| m.clone())
                        .unwrap_or(Value::None),
                    other => other.clone(),
                })
                .unwrap_or(Value::Str("deps".into())),
            other => other.clone(),
        };
        match chosen.as_str() {
            Some("deps") | Some("hybrid") => Ok(Method::Deps),
            Some("nodeps") => Ok(Method::NoDeps),
            _ => Err(PhaseError::config(format!(
                "gather_method for {variant}: expected \"deps\", \"nodeps\" or \"hybrid\", found {chosen:?}"
            ))),
        }
    }

    /// The names (or `name.arch`, shell patterns allowed) listed for this variant and
    /// arch under `option`.
    pub fn names(
        &self,
        option: &str,
        arch: &str,
        variant: &str,
    ) -> Result<Vec<String>, PhaseError> {
        if !self.options.contains_key(option) {
            return Ok(Vec::new());
        }
        let values = get_arch_variant_data(&self.options, option, arch, Some(variant))
            .map_err(|e| PhaseError::config(e.to_string()))?;
        values
            .into_iter()
            .map(|v| match v {
                Value::Str(s) => Ok(s),
                other => Err(PhaseError::config(format!(
                    "{option}: expected package names, found {}",
                    other.type_name()
                ))),
            })
            .collect()
    }
}
