//! The per-variant option blocks of the Koji phases, read once from the config:
//! `{variant_regex: block or [blocks]}` (image_build, live_media, osbs, ostree) and
//! `[(variant_regex, {arch: block})]` (live_images, ostree_installer, lorax_options,
//! buildinstall_skip, failable_deliverables), handed out as JSON objects.

use pungi_config::{Options, Value as ConfigValue, get_arch_variant_data, get_variant_data};
use pungi_phase_sdk::{Context, PhaseError, VariantInfo};
use serde_json::{Map, Value};

/// The options a phase reads, as the config gives them.
pub struct Config {
    options: Options,
}

/// One task's settings: a JSON object.
pub type Block = Map<String, Value>;

impl Config {
    /// Reads `names` (unset ones stay absent).
    pub fn read(ctx: &Context, names: &[&str]) -> Result<Self, PhaseError> {
        let mut options = Options::new();
        for name in names {
            if let Some(value) = ctx.option::<ConfigValue>(name)? {
                options.insert((*name).to_owned(), value);
            }
        }
        Ok(Config { options })
    }

    /// Options already parsed (tests, native runs).
    pub fn from_options(options: Options) -> Self {
        Config { options }
    }

    /// Whether the config sets `name`.
    pub fn has(&self, name: &str) -> bool {
        self.options.contains_key(name)
    }

    /// The raw value of a global option, as JSON.
    pub fn value(&self, name: &str) -> Result<Option<Value>, PhaseError> {
        self.options.get(name).map(|v| to_json(name, v)).transpose()
    }

    /// `{variant_regex: block or [blocks]}`: the blocks for `variant`.
    pub fn variant_blocks(&self, name: &str, variant: &str) -> Result<Vec<Block>, PhaseError> {
        self.variant_values(name, variant)?
            .into_iter()
            .map(|v| object(name, variant, v))
            .collect()
    }

    /// `{variant_regex: value}`: the values for `variant`, as they are.
    pub fn variant_values(&self, name: &str, variant: &str) -> Result<Vec<Value>, PhaseError> {
        let values = get_variant_data(&self.options, name, variant)
            .map_err(|e| PhaseError::config(e.to_string()))?;
        values.iter().map(|v| to_json(name, v)).collect()
    }

    /// `[(variant_regex, {arch: value})]`: the values for `variant` on `arch`.
    pub fn arch_variant_values(
        &self,
        name: &str,
        variant: &str,
        arch: &str,
    ) -> Result<Vec<Value>, PhaseError> {
        if !self.has(name) {
            return Ok(Vec::new());
        }
        let values = get_arch_variant_data(&self.options, name, arch, Some(variant))
            .map_err(|e| PhaseError::config(e.to_string()))?;
        values.iter().map(|v| to_json(name, v)).collect()
    }

    /// `[(variant_regex, {arch: block})]`: the blocks for `variant` on `arch`.
    pub fn arch_variant_blocks(
        &self,
        name: &str,
        variant: &str,
        arch: &str,
    ) -> Result<Vec<Block>, PhaseError> {
        self.arch_variant_values(name, variant, arch)?
            .into_iter()
            .map(|v| object(name, variant, v))
            .collect()
    }

    /// Whether `failable_deliverables` lists `deliverable` for `variant` on `arch`.
    pub fn failable_deliverable(
        &self,
        deliverable: &str,
        variant: &str,
        arch: &str,
    ) -> Result<bool, PhaseError> {
        Ok(self
            .arch_variant_values("failable_deliverables", variant, arch)?
            .iter()
            .any(|v| v.as_str() == Some(deliverable)))
    }
}

fn to_json(name: &str, value: &ConfigValue) -> Result<Value, PhaseError> {
    serde_json::to_value(value).map_err(|e| PhaseError::config(format!("`{name}`: {e}")))
}

fn object(name: &str, variant: &str, value: Value) -> Result<Block, PhaseError> {
    match value {
        Value::Object(block) => Ok(block),
        other => Err(PhaseError::config(format!(
            "`{name}` for variant {variant}: expected a dict, found {other}"
        ))),
    }
}

/// A list of strings in a block (`arches`, `failable`, `repo`, ...); a lone string counts
/// as a list of one.
pub fn strings(block: &Block, key: &str) -> Result<Vec<String>, PhaseError> {
    match block.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| {
                    PhaseError::config(format!("`{key}`: expected strings, found {item}"))
                })
            })
            .collect(),
        Some(other) => Err(PhaseError::config(format!(
            "`{key}`: expected a string or a list of strings, found {other}"
        ))),
    }
}

/// A string in a block, or `None`.
pub fn string(block: &Block, key: &str) -> Result<Option<String>, PhaseError> {
    match block.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(PhaseError::config(format!(
            "`{key}`: expected a string, found {other}"
        ))),
    }
}

/// A boolean in a block, or `default`.
pub fn flag(block: &Block, key: &str, default: bool) -> Result<bool, PhaseError> {
    match block.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(PhaseError::config(format!(
            "`{key}`: expected True or False, found {other}"
        ))),
    }
}

/// The arches a block builds for: its `arches` that the variant has (all of the
/// variant's when it lists none), in the variant's order.
pub fn arches(block: &Block, variant: &VariantInfo) -> Result<Vec<String>, PhaseError> {
    let wanted = strings(block, "arches")?;
    Ok(variant
        .arches
        .iter()
        .filter(|a| wanted.is_empty() || wanted.contains(a))
        .cloned()
        .collect())
}

/// Whether a block's `failable` (arches, or `"*"`) covers every one of `arches`.
pub fn failable_arches(block: &Block, arches: &[String]) -> Result<bool, PhaseError> {
    let failable = strings(block, "failable")?;
    Ok(!arches.is_empty()
        && arches
            .iter()
            .all(|a| failable.iter().any(|f| f == "*" || f == a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        Config::from_options(pungi_config::parse_str(text, std::path::Path::new("t.conf")).unwrap())
    }

    #[test]
    fn variant_blocks_splice_lists_and_match_regexes() {
        let c = config(
            "image_build = {'^Server$': [{'image-build': {'format': ['qcow2']}}, {'image-build': {}}], '.*': {'image-build': {'name': 'all'}}}",
        );
        assert_eq!(c.variant_blocks("image_build", "Server").unwrap().len(), 3);
        let other = c.variant_blocks("image_build", "Client").unwrap();
        assert_eq!(other.len(), 1);
        assert_eq!(other[0]["image-build"]["name"], "all");
        assert!(c.variant_blocks("live_media", "Server").unwrap().is_empty());
    }

    #[test]
    fn arch_variant_blocks_and_failable_deliverables() {
        let c = config(
            "failable_deliverables = [('^.*$', {'*': ['image-build'], 'x86_64': ['live']})]\nostree_installer = [('^Server$', {'x86_64': {'release': None}})]",
        );
        assert!(
            c.failable_deliverable("image-build", "Server", "aarch64")
                .unwrap()
        );
        assert!(c.failable_deliverable("live", "Server", "x86_64").unwrap());
        assert!(!c.failable_deliverable("live", "Server", "aarch64").unwrap());
        let blocks = c
            .arch_variant_blocks("ostree_installer", "Server", "x86_64")
            .unwrap();
        assert_eq!(blocks.len(), 1);
        assert!(blocks[0]["release"].is_null());
        assert!(
            c.arch_variant_blocks("ostree_installer", "Server", "s390x")
                .unwrap()
                .is_empty()
        );
        let bad = config("image_build = {'^Server$': ['qcow2']}");
        let err = bad.variant_blocks("image_build", "Server").unwrap_err();
        assert!(
            err.message.contains("image_build") && err.message.contains("expected a dict"),
            "{err}"
        );
    }

    #[test]
    fn failable_needs_every_arch() {
        let block: Block = serde_json::from_str(r#"{"failable": ["x86_64"]}"#).unwrap();
        assert!(failable_arches(&block, &["x86_64".into()]).unwrap());
        assert!(!failable_arches(&block, &["x86_64".into(), "aarch64".into()]).unwrap());
        let star: Block = serde_json::from_str(r#"{"failable": ["*"]}"#).unwrap();
        assert!(failable_arches(&star, &["x86_64".into(), "aarch64".into()]).unwrap());
        let bad: Block = serde_json::from_str(r#"{"failable": 3}"#).unwrap();
        assert!(failable_arches(&bad, &["x86_64".into()]).is_err());
    }
}
