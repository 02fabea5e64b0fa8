//! Before any phase runs, the programs the planned phases will run must be on this host:
//! a compose that would fail an hour in for want of `xorriso` is refused at once, with
//! every missing program and the package that provides it (Pungi checks its tools up
//! front the same way).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::plan::{ComponentSource, Plan};
use crate::policy::Policy;

/// A program and the packages that provide it: Debian's, Fedora's.
struct Provider {
    program: &'static str,
    debian: &'static str,
    fedora: &'static str,
}

const PROVIDERS: &[Provider] = &[
    Provider {
        program: "bwrap",
        debian: "bubblewrap",
        fedora: "bubblewrap",
    },
    Provider {
        program: "xorriso",
        debian: "xorriso",
        fedora: "xorriso",
    },
    Provider {
        program: "genisoimage",
        debian: "genisoimage",
        fedora: "genisoimage",
    },
    Provider {
        program: "isohybrid",
        debian: "syslinux-utils",
        fedora: "syslinux",
    },
    Provider {
        program: "implantisomd5",
        debian: "isomd5sum",
        fedora: "isomd5sum",
    },
    Provider {
        program: "checkisomd5",
        debian: "isomd5sum",
        fedora: "isomd5sum",
    },
    Provider {
        program: "git",
        debian: "git",
        fedora: "git-core",
    },
    Provider {
        program: "rpm2cpio",
        debian: "rpm2cpio",
        fedora: "rpm",
    },
    Provider {
        program: "cpio",
        debian: "cpio",
        fedora: "cpio",
    },
    Provider {
        program: "mksquashfs",
        debian: "squashfs-tools",
        fedora: "squashfs-tools",
    },
    Provider {
        program: "mke2fs",
        debian: "e2fsprogs",
        fedora: "e2fsprogs",
    },
    Provider {
        program: "msgfmt",
        debian: "gettext",
        fedora: "gettext",
    },
];

/// The programs each planned phase will run under `config`, keyed by program, with the
/// phases that need it. Stock phases by what their config asks of them; a custom phase
/// by the commands its grant names (it asked for them).
pub fn needed_programs(
    plan: &Plan,
    config: &Map<String, Value>,
    arches: &[String],
    policy: &Policy,
) -> BTreeMap<String, Vec<String>> {
    let mut needed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for phase in &plan.phases {
        let programs = match &phase.source {
            ComponentSource::Catalog => stock_programs(&phase.name, config, arches, plan),
            ComponentSource::Custom { .. } => {
                let section = policy.for_phase(&phase.name);
                let mut programs = section.commands.clone();
                programs.extend(section.command.into_iter().map(|c| c.program));
                programs
            }
        };
        // The command jail runs each of them (unless the policy opted the phase out).
        if !programs.is_empty() && policy.for_phase(&phase.name).jail != Some(false) {
            needed
                .entry("bwrap".to_owned())
                .or_default()
                .push(phase.name.clone());
        }
        for program in programs {
            needed.entry(program).or_default().push(phase.name.clone());
        }
    }
    needed
}

fn stock_programs(
    phase: &str,
    config: &Map<String, Value>,
    arches: &[String],
    plan: &Plan,
) -> Vec<String> {
    let flag =
        |name: &str, default: bool| config.get(name).and_then(Value::as_bool).unwrap_or(default);
    let mut programs: Vec<&str> = match phase {
        "createiso" => {
            let mut tools = vec![
                if flag("createiso_use_xorrisofs", true) {
                    "xorriso"
                } else {
                    "genisoimage"
                },
                "implantisomd5",
                "checkisomd5",
            ];
            // BIOS-bootable images (x86 trees with isolinux) are made isohybrid.
            if arches
                .iter()
                .any(|a| matches!(a.as_str(), "x86_64" | "i386" | "i686"))
            {
                tools.push("isohybrid");
            }
            tools
        }
        "test" if plan.phases.iter().any(|p| p.name == "createiso") => vec!["checkisomd5"],
        "extra_files" => scm_programs(config.get("extra_files")),
        "productimg" if flag("productimg", false) => {
            let mut tools = vec!["mksquashfs", "mke2fs", "msgfmt"];
            tools.extend(scm_programs(config.get("productimg_sources")));
            tools
        }
        _ => Vec::new(),
    };
    programs.sort_unstable();
    programs.dedup();
    programs.into_iter().map(str::to_owned).collect()
}

/// The programs the SCM sources anywhere in `value` need: `git` for `"scm": "git"`,
/// `rpm2cpio` and `cpio` for `"scm": "rpm"`.
fn scm_programs(value: Option<&Value>) -> Vec<&'static str> {
    let mut found = Vec::new();
    let mut stack: Vec<&Value> = value.into_iter().collect();
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                match map.get("scm").and_then(Value::as_str) {
                    Some("git") => found.push("git"),
                    Some("rpm") => found.extend(["rpm2cpio", "cpio"]),
                    _ => {}
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    found
}

/// Refuses the compose when a program in `needed` is not installed, naming each missing
/// one, the phases that need it and the package that provides it.
pub fn check_installed(
    needed: &BTreeMap<String, Vec<String>>,
    installed: impl Fn(&str) -> bool,
) -> anyhow::Result<()> {
    let missing: Vec<String> = needed
        .iter()
        .filter(|(program, _)| !installed(program))
        .map(|(program, phases)| {
            let package = PROVIDERS.iter().find(|p| p.program == program).map_or_else(
                || "the package that provides it".to_owned(),
                |p| format!("Debian package `{}`, Fedora `{}`", p.debian, p.fedora),
            );
            format!(
                "  {program} (needed by {}): install {package}",
                phases.join(", ")
            )
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "programs the enabled phases run are not installed on this host:\n{}",
        missing.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::phases::Selection;
    use crate::pipeline::plan::stock_graph;

    fn needed(config: Value, arches: &[&str]) -> BTreeMap<String, Vec<String>> {
        let config = config.as_object().cloned().unwrap_or_default();
        let plan = Plan::new(&stock_graph(&config), &Selection::new(&[], &[]).unwrap());
        let arches: Vec<String> = arches.iter().map(|a| a.to_string()).collect();
        needed_programs(&plan, &config, &arches, &Policy::stock())
    }

    #[test]
    fn createiso_needs_its_image_tools_and_extra_files_what_its_sources_name() {
        let found = needed(
            serde_json::json!({
                "extra_files": [["^Server$", {"*": [
                    {"scm": "git", "repo": "x", "file": "a"},
                    {"scm": "file", "file": "b"},
                ]}]],
            }),
            &["x86_64"],
        );
        let programs: Vec<&str> = found.keys().map(String::as_str).collect();
        assert_eq!(
            programs,
            [
                "bwrap",
                "checkisomd5",
                "git",
                "implantisomd5",
                "isohybrid",
                "xorriso"
            ]
        );
        assert_eq!(found["checkisomd5"], ["createiso", "test"]);
        assert_eq!(found["bwrap"], ["extra_files", "createiso", "test"]);
        assert_eq!(found["git"], ["extra_files"]);
    }

    #[test]
    fn genisoimage_when_asked_and_no_isohybrid_without_x86() {
        let found = needed(
            serde_json::json!({"createiso_use_xorrisofs": false}),
            &["aarch64"],
        );
        assert!(found.contains_key("genisoimage") && !found.contains_key("xorriso"));
        assert!(!found.contains_key("isohybrid"));
    }

    #[test]
    fn every_missing_program_is_named_with_its_package() {
        let found = needed(serde_json::json!({}), &["x86_64"]);
        let error = check_installed(&found, |program| program == "checkisomd5")
            .unwrap_err()
            .to_string();
        for line in [
            "xorriso (needed by createiso): install Debian package `xorriso`",
            "isohybrid (needed by createiso): install Debian package `syslinux-utils`, Fedora `syslinux`",
            "implantisomd5 (needed by createiso)",
        ] {
            assert!(error.contains(line), "{line:?} missing in:\n{error}");
        }
        assert!(!error.contains("checkisomd5"), "{error}");
        assert!(check_installed(&found, |_| true).is_ok());
    }
}
