//! Reading comps XML into [`Comps`], checking structure as it goes so that every
//! mistake in a hand-edited comps file is reported with its line and column.

use std::collections::HashSet;

use crate::model::{
    Category, Comps, Environment, Group, GroupRef, Langpack, PackageReq, PackageType, Translated,
};
use crate::xml::{Checker, Element, XmlErrors, parse_document};

const XML_LANG: &str = "xml:lang";

/// Parses a comps document; on failure every problem found is returned.
pub fn parse(text: &str) -> Result<Comps, XmlErrors> {
    let root = parse_document(text).map_err(|error| XmlErrors(vec![error]))?;
    let mut check = Checker::default();
    if root.name != "comps" {
        check.error(
            &root,
            format!(
                "expected <comps> as the root element, found <{}>",
                root.name
            ),
        );
        return check.finish(Comps::default());
    }
    check.attributes(&root, &[]);
    check.children(&root, &["group", "category", "environment", "langpacks"]);
    let comps = Comps {
        groups: root
            .children_named("group")
            .map(|e| group(&mut check, e))
            .collect(),
        categories: root
            .children_named("category")
            .map(|e| category(&mut check, e))
            .collect(),
        environments: root
            .children_named("environment")
            .map(|e| environment(&mut check, e))
            .collect(),
        langpacks: root
            .children_named("langpacks")
            .flat_map(|e| langpacks(&mut check, e))
            .collect(),
    };
    unique_ids(
        &mut check,
        &root,
        "group",
        comps.groups.iter().map(|g| &g.id),
    );
    unique_ids(
        &mut check,
        &root,
        "category",
        comps.categories.iter().map(|c| &c.id),
    );
    unique_ids(
        &mut check,
        &root,
        "environment",
        comps.environments.iter().map(|e| &e.id),
    );
    check.finish(comps)
}

fn unique_ids<'a>(
    check: &mut Checker,
    root: &Element,
    kind: &str,
    ids: impl Iterator<Item = &'a String>,
) {
    let mut seen = HashSet::new();
    for (element, id) in root.children_named(kind).zip(ids) {
        if !id.is_empty() && !seen.insert(id) {
            check.error(element, format!("duplicate {kind} id `{id}`"));
        }
    }
}

/// The id, name and description every group, category and environment starts with.
struct Common {
    id: String,
    name: Translated,
    description: Option<Translated>,
}

fn common(check: &mut Checker, element: &Element) -> Common {
    let id = check
        .single(element, "id", true)
        .map(|e| check.leaf_text(e))
        .unwrap_or_default();
    let name = translated(check, element, "name").unwrap_or_else(|| {
        check.error(
            element,
            format!("<{}> has no untranslated <name>", element.name),
        );
        Translated::default()
    });
    let description = translated(check, element, "description");
    Common {
        id,
        name,
        description,
    }
}

fn translated(check: &mut Checker, element: &Element, tag: &str) -> Option<Translated> {
    let mut text = None;
    let mut translations = std::collections::BTreeMap::new();
    let mut first_translation = None;
    for child in element.children_named(tag) {
        check.attributes(child, &[XML_LANG]);
        let value = check.text(child);
        match child.attr(XML_LANG) {
            Some(lang) => {
                first_translation.get_or_insert(child);
                if translations.insert(lang.to_owned(), value).is_some() {
                    check.error(child, format!("<{tag} xml:lang=\"{lang}\"> given twice"));
                }
            }
            None if text.is_some() => {
                check.error(child, format!("untranslated <{tag}> given twice"))
            }
            None => text = Some(value),
        }
    }
    match (text, first_translation) {
        (Some(text), _) => Some(Translated { text, translations }),
        (None, Some(child)) => {
            check.error(
                child,
                format!("translated <{tag}> without an untranslated one"),
            );
            None
        }
        (None, None) => None,
    }
}

fn bool_child(check: &mut Checker, element: &Element, tag: &str, default: bool) -> bool {
    check
        .single(element, tag, false)
        .and_then(|e| check.bool_text(e))
        .unwrap_or(default)
}

fn display_order(check: &mut Checker, element: &Element) -> Option<i64> {
    let child = check.single(element, "display_order", false)?;
    let text = check.leaf_text(child);
    match text.parse() {
        Ok(order) => Some(order),
        Err(_) => {
            check.error(
                child,
                format!("<display_order> must be an integer, found {text:?}"),
            );
            None
        }
    }
}

/// Pungi's extension attributes hold lists separated by commas and/or spaces.
fn list_attr(element: &Element, name: &str) -> Option<Vec<String>> {
    element.attr(name).map(|value| {
        value
            .split([',', ' '])
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

fn group(check: &mut Checker, element: &Element) -> Group {
    check.attributes(element, &["arch", "variant"]);
    check.children(
        element,
        &[
            "id",
            "name",
            "description",
            "default",
            "uservisible",
            "biarchonly",
            "langonly",
            "display_order",
            "packagelist",
        ],
    );
    let Common {
        id,
        name,
        description,
    } = common(check, element);
    let packages = match check.single(element, "packagelist", false) {
        Some(list) => {
            check.attributes(list, &[]);
            check.children(list, &["packagereq"]);
            list.children_named("packagereq")
                .map(|e| package(check, e))
                .collect()
        }
        None => Vec::new(),
    };
    Group {
        id,
        name,
        description,
        default: bool_child(check, element, "default", false),
        uservisible: bool_child(check, element, "uservisible", true),
        biarchonly: bool_child(check, element, "biarchonly", false),
        langonly: check
            .single(element, "langonly", false)
            .map(|e| check.leaf_text(e)),
        display_order: display_order(check, element),
        arch: list_attr(element, "arch"),
        variant: list_attr(element, "variant"),
        packages,
    }
}

fn package(check: &mut Checker, element: &Element) -> PackageReq {
    check.attributes(
        element,
        &["type", "requires", "basearchonly", "arch", "variant"],
    );
    let name = check.leaf_text(element);
    let kind = match element.attr("type") {
        None => PackageType::Mandatory,
        Some(text) => PackageType::parse(text).unwrap_or_else(|| {
            check.error(
                element,
                format!(
                    "package `{name}` has type {text:?}; expected mandatory, default, optional or conditional"
                ),
            );
            PackageType::Mandatory
        }),
    };
    let requires = element.attr("requires").map(str::to_owned);
    if kind == PackageType::Conditional && requires.is_none() {
        check.error(
            element,
            format!("conditional package `{name}` has no `requires` attribute"),
        );
    }
    PackageReq {
        basearchonly: check.bool_attr(element, "basearchonly").unwrap_or(false),
        arch: list_attr(element, "arch"),
        variant: list_attr(element, "variant"),
        name,
        kind,
        requires,
    }
}

fn group_refs(check: &mut Checker, element: &Element, list: &str) -> Vec<GroupRef> {
    let Some(list) = check.single(element, list, false) else {
        return Vec::new();
    };
    check.attributes(list, &[]);
    check.children(list, &["groupid"]);
    list.children_named("groupid")
        .map(|e| {
            check.attributes(e, &["default", "arch"]);
            GroupRef {
                id: check.leaf_text(e),
                default: check.bool_attr(e, "default").unwrap_or(false),
                arch: list_attr(e, "arch"),
            }
        })
        .collect()
}

fn category(check: &mut Checker, element: &Element) -> Category {
    check.attributes(element, &[]);
    check.children(
        element,
        &["id", "name", "description", "display_order", "grouplist"],
    );
    let Common {
        id,
        name,
        description,
    } = common(check, element);
    Category {
        id,
        name,
        description,
        display_order: display_order(check, element),
        groups: group_refs(check, element, "grouplist"),
    }
}

fn environment(check: &mut Checker, element: &Element) -> Environment {
    check.attributes(element, &["arch", "variant"]);
    check.children(
        element,
        &[
            "id",
            "name",
            "description",
            "display_order",
            "grouplist",
            "optionlist",
        ],
    );
    let Common {
        id,
        name,
        description,
    } = common(check, element);
    Environment {
        id,
        name,
        description,
        display_order: display_order(check, element),
        arch: list_attr(element, "arch"),
        variant: list_attr(element, "variant"),
        groups: group_refs(check, element, "grouplist"),
        options: group_refs(check, element, "optionlist"),
    }
}

fn langpacks(check: &mut Checker, element: &Element) -> Vec<Langpack> {
    check.attributes(element, &[]);
    check.children(element, &["match"]);
    element
        .children_named("match")
        .map(|e| {
            check.attributes(e, &["name", "install"]);
            check.children(e, &[]);
            Langpack {
                name: check.required(e, "name"),
                install: check.required(e, "install"),
            }
        })
        .collect()
}
