//! Writing [`Comps`] back as comps XML: deterministic (model order, translations sorted
//! by language), with the comps DOCTYPE, in the layout createrepo and dnf expect.

use std::fmt::Write;

use quick_xml::escape::escape;

use crate::model::{Comps, GroupRef, Translated};

/// The DOCTYPE every comps file carries; libcomps and yum-era tools look for it.
pub const DOCTYPE: &str =
    r#"<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">"#;

/// Renders `comps` as a complete comps XML document.
pub fn to_xml(comps: &Comps) -> String {
    let mut out = Out::default();
    out.raw(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    out.raw(DOCTYPE);
    out.open("comps", &[]);
    for group in &comps.groups {
        out.open(
            "group",
            &list_attrs(&[("arch", &group.arch), ("variant", &group.variant)]),
        );
        out.common(&group.id, &group.name, group.description.as_ref());
        out.leaf("default", &[], bool_text(group.default));
        out.leaf("uservisible", &[], bool_text(group.uservisible));
        if group.biarchonly {
            out.leaf("biarchonly", &[], "true");
        }
        if let Some(lang) = &group.langonly {
            out.leaf("langonly", &[], lang);
        }
        out.display_order(group.display_order);
        out.open("packagelist", &[]);
        for package in &group.packages {
            let mut attrs = vec![("type", package.kind.as_str().to_owned())];
            if let Some(requires) = &package.requires {
                attrs.push(("requires", requires.clone()));
            }
            if package.basearchonly {
                attrs.push(("basearchonly", "true".to_owned()));
            }
            attrs.extend(list_attrs(&[
                ("arch", &package.arch),
                ("variant", &package.variant),
            ]));
            out.leaf("packagereq", &attrs, &package.name);
        }
        out.close("packagelist");
        out.close("group");
    }
    for category in &comps.categories {
        out.open("category", &[]);
        out.common(&category.id, &category.name, category.description.as_ref());
        out.display_order(category.display_order);
        out.group_refs("grouplist", &category.groups);
        out.close("category");
    }
    for environment in &comps.environments {
        let attrs = list_attrs(&[
            ("arch", &environment.arch),
            ("variant", &environment.variant),
        ]);
        out.open("environment", &attrs);
        out.common(
            &environment.id,
            &environment.name,
            environment.description.as_ref(),
        );
        out.display_order(environment.display_order);
        out.group_refs("grouplist", &environment.groups);
        if !environment.options.is_empty() {
            out.group_refs("optionlist", &environment.options);
        }
        out.close("environment");
    }
    if !comps.langpacks.is_empty() {
        out.open("langpacks", &[]);
        for langpack in &comps.langpacks {
            let attrs = [
                ("name", langpack.name.clone()),
                ("install", langpack.install.clone()),
            ];
            out.leaf("match", &attrs, "");
        }
        out.close("langpacks");
    }
    out.close("comps");
    out.text
}

fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

fn list_attrs(lists: &[(&'static str, &Option<Vec<String>>)]) -> Vec<(&'static str, String)> {
    lists
        .iter()
        .filter_map(|(name, list)| list.as_ref().map(|items| (*name, items.join(" "))))
        .collect()
}

/// An indenting XML text builder; all escaping happens here.
#[derive(Default)]
struct Out {
    text: String,
    depth: usize,
}

impl Out {
    fn raw(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    fn start_tag(&mut self, name: &str, attrs: &[(&str, String)]) {
        for _ in 0..self.depth {
            self.text.push_str("  ");
        }
        let _ = write!(self.text, "<{name}");
        for (key, value) in attrs {
            let _ = write!(self.text, " {key}=\"{}\"", escape(value.as_str()));
        }
    }

    fn open(&mut self, name: &str, attrs: &[(&str, String)]) {
        self.start_tag(name, attrs);
        self.text.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        for _ in 0..self.depth {
            self.text.push_str("  ");
        }
        let _ = writeln!(self.text, "</{name}>");
    }

    fn leaf(&mut self, name: &str, attrs: &[(&str, String)], text: &str) {
        self.start_tag(name, attrs);
        if text.is_empty() {
            self.text.push_str("/>\n");
        } else {
            let _ = writeln!(self.text, ">{}</{name}>", escape(text));
        }
    }

    fn translated(&mut self, name: &str, value: &Translated) {
        self.leaf(name, &[], &value.text);
        for (lang, text) in &value.translations {
            self.leaf(name, &[("xml:lang", lang.clone())], text);
        }
    }

    fn common(&mut self, id: &str, name: &Translated, description: Option<&Translated>) {
        self.leaf("id", &[], id);
        self.translated("name", name);
        if let Some(description) = description {
            self.translated("description", description);
        }
    }

    fn display_order(&mut self, order: Option<i64>) {
        if let Some(order) = order {
            self.leaf("display_order", &[], &order.to_string());
        }
    }

    fn group_refs(&mut self, list: &str, refs: &[GroupRef]) {
        self.open(list, &[]);
        for group in refs {
            let mut attrs = Vec::new();
            if group.default {
                attrs.push(("default", "true".to_owned()));
            }
            attrs.extend(list_attrs(&[("arch", &group.arch)]));
            self.leaf("groupid", &attrs, &group.id);
        }
        self.close(list);
    }
}
