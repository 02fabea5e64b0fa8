//! Reading and validating variants XML, reporting every problem with its location.
//!
//! Rules follow Pungi's `VariantsXmlParser`: only `variant`s contain variants; a child
//! keeps the arches it shares with its parent and must share at least one; a child id
//! differs from its parent's; `has_optional="true"` adds an `optional` child unless one
//! is written; `<ref id>` pulls in a top-level addon or layered product. Stricter than
//! Pungi: a repeated uid is an error (Pungi keeps the first silently).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use pungi_comps::xml::{Checker, Element, XmlErrors, parse_document};
use pungi_comps::{EnvironmentSelector, GroupSelector};

use super::model::{BuildOpts, Module, Release, Variant, VariantKind, Variants};
use crate::error::{ConfigError, ConfigErrors, Pos};

/// Reads and validates the variants file at `path`.
pub fn load_variants(path: &Path) -> Result<Variants, ConfigErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::new(
            path,
            Pos { line: 1, column: 1 },
            format!("cannot read variants file: {e}"),
        )
    })?;
    parse_variants(&text, path)
}

/// Validates variants XML `text`; `path` is only used in error locations.
pub fn parse_variants(text: &str, path: &Path) -> Result<Variants, ConfigErrors> {
    let located = |errors: XmlErrors| ConfigErrors::from_xml(path, errors);
    let root = parse_document(text).map_err(|e| located(XmlErrors(vec![e])))?;
    let mut builder = Builder {
        check: Checker::default(),
        targets: HashMap::new(),
        uids: HashSet::new(),
    };
    if root.name != "variants" {
        builder.check.error(
            &root,
            format!(
                "expected <variants> as the root element, found <{}>",
                root.name
            ),
        );
        return builder.check.finish(Variants::default()).map_err(located);
    }
    builder.check.attributes(&root, &[]);
    builder.check.children(&root, &["variant"]);
    for element in root.children_named("variant") {
        if let (Some(id), Some("addon" | "layered-product")) =
            (element.attr("id"), element.attr("type"))
        {
            builder.targets.insert(id.to_owned(), element);
        }
    }
    let mut variants = Vec::new();
    for element in root.children_named("variant") {
        match element.attr("type") {
            Some("addon" | "layered-product") => builder.validate_alone(element),
            Some("optional") => builder
                .check
                .error(element, "an optional variant must be nested in a variant"),
            _ => variants.push(builder.build(element, None)),
        }
    }
    builder.check.finish(Variants { variants }).map_err(located)
}

struct Builder<'a> {
    check: Checker,
    /// Top-level addons and layered products that `<ref id>` may name.
    targets: HashMap<String, &'a Element>,
    uids: HashSet<String>,
}

impl<'a> Builder<'a> {
    /// Checks a reference target on its own so its mistakes surface even if unused.
    fn validate_alone(&mut self, element: &'a Element) {
        let uids = std::mem::take(&mut self.uids);
        self.build(element, None);
        self.uids = uids;
    }

    fn build(&mut self, element: &'a Element, parent: Option<&Variant>) -> Variant {
        let check = &mut self.check;
        check.attributes(element, &["id", "name", "type", "has_optional", "is_empty"]);
        check.children(
            element,
            &[
                "release",
                "arches",
                "groups",
                "environments",
                "variants",
                "buildinstallpackages",
                "modules",
                "buildopts",
            ],
        );
        let id = check.required(element, "id");
        if id.contains(char::is_whitespace) {
            check.error(element, format!("variant id {id:?} contains whitespace"));
        }
        let name = check.required(element, "name");
        let type_text = check.required(element, "type");
        let kind = VariantKind::parse(&type_text).unwrap_or_else(|| {
            if !type_text.is_empty() {
                check.error(element, format!("variant `{id}` has type {type_text:?}; expected variant, addon, optional or layered-product"));
            }
            VariantKind::Variant
        });
        let uid = match parent {
            Some(parent) => format!("{}-{id}", parent.uid),
            None => id.clone(),
        };
        let mut arches = self.arches(element);
        if let Some(parent) = parent {
            arches = self.inherit(element, parent, &id, &uid, kind, arches);
        }
        if !self.uids.insert(uid.clone()) {
            self.check
                .error(element, format!("duplicate variant uid `{uid}`"));
        }
        let mut variant = Variant {
            release: self.release(element, kind),
            groups: self.groups(element),
            environments: self.environments(element),
            modules: self.modules(element),
            modular_koji_tags: self.koji_tags(element),
            buildinstallpackages: self.leaves(element, "buildinstallpackages", "package"),
            buildopts: BuildOpts {
                multilib_arches: self.leaves(element, "buildopts", "multilib_arch"),
            },
            is_empty: self.check.bool_attr(element, "is_empty").unwrap_or(false),
            uid,
            id,
            name,
            kind,
            arches,
            parent: parent.map(|p| p.uid.clone()),
            children: Vec::new(),
        };
        variant.children = self.children(element, &variant);
        variant
    }

    /// Applies Pungi's `add_variant` rules for a child of `parent`; returns its arches.
    fn inherit(
        &mut self,
        element: &Element,
        parent: &Variant,
        id: &str,
        uid: &str,
        kind: VariantKind,
        arches: Vec<String>,
    ) -> Vec<String> {
        if parent.kind != VariantKind::Variant {
            self.check.error(element, format!(
                "only variants of type `variant` can contain other variants; `{}` is {} and cannot contain {} `{id}`",
                parent.uid, parent.kind.as_str(), kind.as_str()
            ));
        }
        if id == parent.id {
            self.check.error(
                element,
                format!("child variant `{uid}` must not reuse its parent's id `{id}`"),
            );
        }
        let shared: Vec<String> = arches
            .iter()
            .filter(|a| parent.arches.contains(a))
            .cloned()
            .collect();
        if shared.is_empty() && !arches.is_empty() && !parent.arches.is_empty() {
            self.check.error(
                element,
                format!(
                    "arches [{}] of `{uid}` do not intersect its parent's arches [{}]",
                    arches.join(", "),
                    parent.arches.join(", ")
                ),
            );
        }
        shared
    }

    fn arches(&mut self, element: &Element) -> Vec<String> {
        let Some(list) = self.check.single(element, "arches", true) else {
            return Vec::new();
        };
        self.check.attributes(list, &[]);
        self.check.children(list, &["arch"]);
        let mut arches: Vec<String> = Vec::new();
        for arch in list.children_named("arch") {
            let text = self.check.leaf_text(arch);
            if arches.contains(&text) {
                self.check
                    .error(arch, format!("arch `{text}` listed twice"));
            } else {
                arches.push(text);
            }
        }
        if arches.is_empty() {
            self.check.error(list, "<arches> lists no <arch>");
        }
        arches.sort();
        arches
    }

    fn release(&mut self, element: &Element, kind: VariantKind) -> Option<Release> {
        let layered = kind == VariantKind::LayeredProduct;
        let release = self.check.single(element, "release", layered)?;
        if !layered {
            self.check
                .error(release, "only layered products have a <release>");
        }
        self.check
            .attributes(release, &["name", "version", "short"]);
        Some(Release {
            name: self.check.required(release, "name"),
            version: self.check.required(release, "version"),
            short: self.check.required(release, "short"),
        })
    }

    fn groups(&mut self, element: &Element) -> Vec<GroupSelector> {
        let mut groups: Vec<GroupSelector> = self
            .list_items(
                element,
                "groups",
                "group",
                &["glob", "default", "uservisible"],
            )
            .into_iter()
            .map(|(group, name)| GroupSelector {
                name,
                glob: self.check.bool_attr(group, "glob").unwrap_or(false),
                default: self.check.bool_attr(group, "default"),
                uservisible: self.check.bool_attr(group, "uservisible"),
            })
            .collect();
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        groups
    }

    fn environments(&mut self, element: &Element) -> Vec<EnvironmentSelector> {
        let mut environments: Vec<EnvironmentSelector> = self
            .list_items(element, "environments", "environment", &["display_order"])
            .into_iter()
            .map(|(environment, name)| EnvironmentSelector {
                display_order: environment.attr("display_order").and_then(|text| {
                    let order = text.parse().ok();
                    if order.is_none() {
                        self.check.error(
                            environment,
                            format!("display_order must be an integer, found {text:?}"),
                        );
                    }
                    order
                }),
                name,
            })
            .collect();
        environments.sort_by(|a, b| a.name.cmp(&b.name));
        environments
    }

    fn modules(&mut self, element: &Element) -> Option<Vec<Module>> {
        element.children_named("modules").next()?;
        let mut modules: Vec<Module> = self
            .list_items(element, "modules", "module", &["glob"])
            .into_iter()
            .map(|(module, name)| Module {
                name,
                glob: self.check.bool_attr(module, "glob").unwrap_or(false),
            })
            .collect();
        modules.sort_by(|a, b| a.name.cmp(&b.name));
        Some(modules)
    }

    fn koji_tags(&self, element: &Element) -> Option<Vec<String>> {
        let tags: Vec<String> = element
            .children_named("modules")
            .flat_map(|list| list.children_named("kojitag"))
            .map(|tag| tag.text.trim().to_owned())
            .collect();
        (!tags.is_empty()).then_some(tags)
    }

    fn leaves(&mut self, element: &Element, list: &str, item: &str) -> Vec<String> {
        self.list_items(element, list, item, &[])
            .into_iter()
            .map(|(_, text)| text)
            .collect()
    }

    /// Items of every `<list>` child of `element`, each with its text; checks the list
    /// holds only `item` elements (plus `kojitag` in `<modules>`).
    fn list_items<'e>(
        &mut self,
        element: &'e Element,
        list: &str,
        item: &str,
        attributes: &[&str],
    ) -> Vec<(&'e Element, String)> {
        let allowed: &[&str] = if list == "modules" {
            &["module", "kojitag"]
        } else {
            &[item]
        };
        let mut items = Vec::new();
        for list_element in element.children_named(list) {
            self.check.attributes(list_element, &[]);
            self.check.children(list_element, allowed);
            for child in &list_element.children {
                let text = self.check.leaf_text(child);
                if child.name == item {
                    self.check.attributes(child, attributes);
                    items.push((child, text));
                }
            }
        }
        items
    }

    fn children(&mut self, element: &'a Element, variant: &Variant) -> Vec<Variant> {
        let lists: Vec<&'a Element> = element.children_named("variants").collect();
        let mut children = Vec::new();
        for list in &lists {
            self.check.attributes(list, &[]);
            self.check.children(list, &["variant", "ref"]);
            for child in list.children_named("variant") {
                children.push(self.build(child, Some(variant)));
            }
        }
        let has_optional = self
            .check
            .bool_attr(element, "has_optional")
            .unwrap_or(false);
        if has_optional && !children.iter().any(|c| c.kind == VariantKind::Optional) {
            children.push(self.optional_of(element, variant));
        }
        for list in &lists {
            for reference in list.children_named("ref") {
                self.check.attributes(reference, &["id"]);
                let id = self.check.required(reference, "id");
                match self.targets.get(&id).copied() {
                    Some(target) => children.push(self.build(target, Some(variant))),
                    None if id.is_empty() => {}
                    None => self.check.error(reference, format!(
                        "`{}` refers to `{id}`, which is not a top-level addon or layered product",
                        variant.uid
                    )),
                }
            }
        }
        children
    }

    fn optional_of(&mut self, element: &Element, parent: &Variant) -> Variant {
        let uid = format!("{}-optional", parent.uid);
        if !self.uids.insert(uid.clone()) {
            self.check
                .error(element, format!("duplicate variant uid `{uid}`"));
        }
        Variant {
            uid,
            id: "optional".to_owned(),
            name: "optional".to_owned(),
            kind: VariantKind::Optional,
            arches: parent.arches.clone(),
            parent: Some(parent.uid.clone()),
            groups: Vec::new(),
            environments: Vec::new(),
            modules: None,
            modular_koji_tags: None,
            buildinstallpackages: Vec::new(),
            buildopts: BuildOpts::default(),
            is_empty: false,
            release: None,
            children: Vec::new(),
        }
    }
}
