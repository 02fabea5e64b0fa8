//! Three-way merge of JSON documents, so two phases running at the same time that both
//! update one document (Createiso and LiveMedia each adding images to `images`) never
//! lose each other's changes.
//!
//! A phase's write is taken as the change from the version it started from (`base`: what
//! it read, or the document as it was when the phase started) to what it wrote (`ours`),
//! and applied to the document as it is now (`theirs`). Objects merge key by key; arrays
//! as sets of elements: what the phase removed from its base goes, what it added comes
//! in (after the elements already there). A value both sides changed differently is a
//! conflict, named by its JSON pointer, and the write is refused.

use serde_json::{Map, Value};

/// The merged document, or the JSON pointer of the first conflict.
pub fn merge(
    base: Option<&Value>,
    ours: Option<&Value>,
    theirs: Option<&Value>,
) -> Result<Option<Value>, String> {
    merge_at(base, ours, theirs, "")
}

fn merge_at(
    base: Option<&Value>,
    ours: Option<&Value>,
    theirs: Option<&Value>,
    pointer: &str,
) -> Result<Option<Value>, String> {
    if ours == base || ours == theirs {
        return Ok(theirs.cloned());
    }
    if theirs == base {
        return Ok(ours.cloned());
    }
    match (ours, theirs) {
        (Some(Value::Object(ours)), Some(Value::Object(theirs))) => {
            let empty = Map::new();
            let base = base.and_then(Value::as_object).unwrap_or(&empty);
            let mut merged = Map::new();
            for key in theirs
                .keys()
                .chain(ours.keys().filter(|k| !theirs.contains_key(*k)))
            {
                let at = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                if let Some(value) = merge_at(base.get(key), ours.get(key), theirs.get(key), &at)? {
                    merged.insert(key.clone(), value);
                }
            }
            Ok(Some(Value::Object(merged)))
        }
        (Some(Value::Array(ours)), Some(Value::Array(theirs))) => {
            let base: &[Value] = base.and_then(Value::as_array).map_or(&[], Vec::as_slice);
            let removed = |v: &&Value| base.contains(v) && !ours.contains(v);
            let added = ours
                .iter()
                .filter(|v| !base.contains(v) && !theirs.contains(v));
            Ok(Some(Value::Array(
                theirs
                    .iter()
                    .filter(|v| !removed(v))
                    .chain(added)
                    .cloned()
                    .collect(),
            )))
        }
        _ => Err(if pointer.is_empty() {
            "/".to_owned()
        } else {
            pointer.to_owned()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn merged(base: Value, ours: Value, theirs: Value) -> Result<Value, String> {
        merge(Some(&base), Some(&ours), Some(&theirs)).map(Option::unwrap)
    }

    #[test]
    fn concurrent_additions_to_one_list_both_stay() {
        let base = json!({"header": {"version": "1.2"}, "images": {"Server": {"x86_64": []}}});
        let createiso = json!({"header": {"version": "1.2"}, "images": {"Server": {"x86_64": [{"path": "a.iso"}]}}});
        let live = json!({"header": {"version": "1.2"}, "images": {"Server": {"x86_64": [{"path": "b.iso"}]}, "Workstation": {"x86_64": [{"path": "c.iso"}]}}});
        let result = merged(base, live.clone(), createiso).unwrap();
        assert_eq!(
            result["images"]["Server"]["x86_64"],
            json!([{"path": "a.iso"}, {"path": "b.iso"}])
        );
        assert_eq!(
            result["images"]["Workstation"],
            live["images"]["Workstation"]
        );
    }

    #[test]
    fn removals_apply_an_untouched_document_is_replaced_and_conflicts_are_named() {
        assert_eq!(
            merged(json!([1, 2, 3]), json!([1, 3]), json!([1, 2, 3, 4])).unwrap(),
            json!([1, 3, 4])
        );
        assert_eq!(
            merged(json!({"a": 1}), json!({"b": 2}), json!({"a": 1})).unwrap(),
            json!({"b": 2})
        );
        assert_eq!(
            merge(None, Some(&json!({"a": [1]})), Some(&json!({"b": 1}))).unwrap(),
            Some(json!({"a": [1], "b": 1}))
        );
        assert_eq!(
            merged(
                json!({"a": {"b/c": 1}}),
                json!({"a": {"b/c": 2}}),
                json!({"a": {"b/c": 3}})
            )
            .unwrap_err(),
            "/a/b~1c"
        );
    }
}
