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
    /// Pungi's `"hybrid"`: the dependency closure, with comps conditional packages
    /// only when the package they depend on is in, and multilib by `multilib`.
    Hybrid,
}

/// `greedy_method`: what a dependency with several providers pulls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Greedy {
    /// The best provider only.
    None,
    /// Every provider.
    All,
    /// The best provider and the other providers built from the same source package.
    Build,
}

/// The per-variant/per-arch options Gather reads, as parsed config values.
pub struct GatherOptions {
    options: IndexMap<String, Value>,
    method: Value,
    /// Fail the compose when a dependency cannot be resolved (`check_deps`, default on).
    pub check_deps: bool,
    pub greedy: Greedy,
    /// `gather_source`: `comps` (default), `json` or `none`.
    pub source: String,
    /// `gather_source_mapping`, for `gather_source = "json"`.
    pub source_mapping: Option<String>,
    /// `gather_fulltree`: every subpackage of each chosen package's source.
    fulltree: bool,
    /// `gather_selfhosting`: what each chosen package's source needs to build.
    selfhosting: bool,
}

impl GatherOptions {
    pub fn read(ctx: &Context) -> Result<Self, PhaseError> {
        let mut options = IndexMap::new();
        for name in [
            "additional_packages",
            "filter_packages",
            "multilib",
            "multilib_blacklist",
            "multilib_whitelist",
            "gather_lookaside_repos",
        ] {
            if let Some(value) = ctx.option::<Value>(name)? {
                options.insert(name.to_owned(), value);
            }
        }
        Ok(GatherOptions {
            options,
            method: ctx.option_or("gather_method", Value::Str("deps".into()))?,
            check_deps: ctx.option_or("check_deps", true)?,
            greedy: match ctx
                .option_or("greedy_method", String::from("none"))?
                .as_str()
            {
                "none" => Greedy::None,
                "all" => Greedy::All,
                "build" => Greedy::Build,
                other => {
                    return Err(PhaseError::config(format!(
                        "greedy_method: expected \"none\", \"all\" or \"build\", found {other:?}"
                    )));
                }
            },
            source: ctx.option_or("gather_source", String::from("comps"))?,
            source_mapping: ctx.option("gather_source_mapping")?,
            fulltree: ctx.option_or("gather_fulltree", false)?,
            selfhosting: ctx.option_or("gather_selfhosting", false)?,
        })
    }

    /// Fulltree for a variant of `kind`: the option for a plain variant, always for the
    /// others (pungi/phases/gather/methods/method_deps.py, `resolve_deps`).
    pub fn fulltree_for(&self, kind: &str) -> bool {
        kind != "variant" || self.fulltree
    }

    /// Selfhosting for a variant of `kind`: the option for a plain variant, always for
    /// an optional one, never for an addon or layered product (`resolve_deps`).
    pub fn selfhosting_for(&self, kind: &str) -> bool {
        match kind {
            "optional" => true,
            "addon" | "layered-product" => false,
            _ => self.selfhosting,
        }
    }

    /// Package name patterns of `option` (`multilib_blacklist`/`_whitelist`,
    /// `{arch_glob: [patterns]}`) that apply on `arch`.
    pub fn arch_patterns(&self, option: &str, arch: &str) -> Result<Vec<String>, PhaseError> {
        let Some(value) = self.options.get(option) else {
            return Ok(Vec::new());
        };
        let Value::Dict(by_arch) = value else {
            return Err(PhaseError::config(format!(
                "{option}: expected {{arch: [package patterns]}}, found {}",
                value.type_name()
            )));
        };
        let mut patterns = Vec::new();
        for (key, list) in by_arch {
            let Some(glob) = key.as_str() else { continue };
            if !pungi_comps::fnmatch(arch, glob) {
                continue;
            }
            let (Value::List(items) | Value::Tuple(items)) = list else {
                return Err(PhaseError::config(format!(
                    "{option}[{glob:?}]: expected a list of package patterns"
                )));
            };
            for item in items {
                match item.as_str() {
                    Some(s) => patterns.push(s.to_owned()),
                    None => {
                        return Err(PhaseError::config(format!(
                            "{option}[{glob:?}]: expected package patterns, found {}",
                            item.type_name()
                        )));
                    }
                }
            }
        }
        Ok(patterns)
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
            Some("deps") => Ok(Method::Deps),
            Some("hybrid") => Ok(Method::Hybrid),
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
