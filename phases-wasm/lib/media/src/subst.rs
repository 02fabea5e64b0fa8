//! Pungi's `(fmt % args).format(**args)`: a template may use `%(name)s` or `{name}`.

use std::collections::BTreeMap;

/// Substitutes `%(name)s` and `{name}` from `args`; an unknown name is an error naming it,
/// as Pungi's `KeyError` is.
pub fn format(template: &str, args: &BTreeMap<&str, String>) -> Result<String, String> {
    let percent = replace(template, "%(", ")s", args)?;
    replace(&percent, "{", "}", args)
}

fn replace(
    template: &str,
    open: &str,
    close: &str,
    args: &BTreeMap<&str, String>,
) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        let after = &rest[start + open.len()..];
        let end = after
            .find(close)
            .ok_or_else(|| format!("unclosed `{open}` in {template:?}"))?;
        let name = &after[..end];
        let value = args
            .get(name)
            .ok_or_else(|| format!("unknown format element `{name}` in {template:?}"))?;
        out.push_str(value);
        rest = &after[end + close.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_styles_substitute_and_unknown_names_are_named() {
        let args = BTreeMap::from([("variant", "Server".to_owned()), ("arch", "x86_64".into())]);
        assert_eq!(
            format("%(variant)s-{arch}", &args).unwrap(),
            "Server-x86_64"
        );
        assert!(format("{nope}", &args).unwrap_err().contains("nope"));
    }
}
