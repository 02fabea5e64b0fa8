//! Comps parsing, writing and filtering against a realistic comps file.

use std::process::Command;

use pungi_comps::{
    Comps, EnvironmentSelector, GroupSelector, PackageType, VariantFilter, filter, filter_arch,
    parse, to_xml,
};

const COMPS: &str = include_str!("data/comps-pungwasm.xml");

fn comps() -> Comps {
    parse(COMPS).expect("test comps parses")
}

fn group_ids(comps: &Comps) -> Vec<&str> {
    comps.groups.iter().map(|g| g.id.as_str()).collect()
}

fn packages<'a>(comps: &'a Comps, group: &str) -> Vec<&'a str> {
    comps
        .groups
        .iter()
        .find(|g| g.id == group)
        .map(|g| g.packages.iter().map(|p| p.name.as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn reads_every_part_of_the_file() {
    let comps = comps();
    assert_eq!(comps.groups.len(), 9);
    assert_eq!(comps.categories.len(), 2);
    assert_eq!(comps.environments.len(), 3);
    assert_eq!(comps.langpacks.len(), 2);

    let core = &comps.groups[0];
    assert_eq!(core.name.text, "Core");
    assert_eq!(core.name.translations["de"], "Kern");
    assert_eq!(core.name.translations["fr"], "Noyau");
    let description = core.description.as_ref().unwrap();
    assert_eq!(
        description.translations["de"],
        "Kleinstmögliche Installation"
    );
    assert!(!core.default && !core.uservisible);
    let efi = &core.packages[3];
    assert_eq!(
        efi.arch.as_deref(),
        Some(&["x86_64".to_owned(), "aarch64".to_owned()][..])
    );
    assert!(core.packages[7].basearchonly);
    assert_eq!(core.packages[7].kind, PackageType::Optional);

    let standard = &comps.groups[1];
    assert_eq!(
        standard.description.as_ref().unwrap().text,
        "Common set of utilities & tools."
    );
    assert_eq!(
        standard.packages[0].kind,
        PackageType::Mandatory,
        "type defaults to mandatory"
    );
    assert_eq!(
        standard.packages[2].requires.as_deref(),
        Some("NetworkManager")
    );

    assert_eq!(comps.groups[2].display_order, Some(10));
    assert_eq!(
        comps.groups[3].description.as_ref().unwrap().text,
        "KDE Plasma <Workspaces>"
    );
    assert_eq!(comps.groups[7].langonly.as_deref(), Some("ja"));
    assert!(comps.groups[8].biarchonly);

    let workstation = &comps.environments[0];
    assert!(workstation.options[0].default);
    assert_eq!(
        workstation.groups[3].arch.as_deref(),
        Some(&["x86_64".to_owned()][..])
    );
    assert_eq!(comps.langpacks[0].install, "hunspell-%s");
}

#[test]
fn write_then_parse_gives_the_same_comps() {
    let comps = comps();
    let written = to_xml(&comps);
    assert!(
        written.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE comps PUBLIC")
    );
    assert_eq!(parse(&written).expect("written comps parses"), comps);
    assert_eq!(
        to_xml(&parse(&written).unwrap()),
        written,
        "writing is deterministic"
    );
}

#[test]
fn json_round_trip() {
    let comps = comps();
    let json = serde_json::to_string(&comps).unwrap();
    assert_eq!(serde_json::from_str::<Comps>(&json).unwrap(), comps);
}

#[test]
fn xmllint_accepts_written_comps() {
    let dir = std::env::temp_dir().join(format!("pungi-comps-xmllint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut outputs = vec![("full.xml", to_xml(&comps()))];
    let selectors = [GroupSelector {
        name: "core".into(),
        glob: false,
        default: None,
        uservisible: None,
    }];
    let server = VariantFilter {
        uid: "Server",
        groups: Some(&selectors),
        environments: None,
        lookaside_groups: &[],
    };
    outputs.push((
        "server.xml",
        to_xml(&filter(&comps(), "s390x", &server).comps),
    ));
    for (name, text) in &outputs {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        match Command::new("xmllint").arg("--noout").arg(&path).output() {
            Ok(out) => assert!(
                out.status.success(),
                "xmllint rejected {name}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) if std::env::var_os("CI").is_none() => {
                eprintln!("SKIPPED: xmllint not runnable ({e}); install libxml2-utils");
                break;
            }
            Err(e) => panic!("xmllint is required in CI: {e}"),
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn arch_filter_drops_other_arches_and_keeps_everything_else() {
    let s390x = filter_arch(&comps(), "s390x");
    assert_eq!(
        packages(&s390x, "core"),
        [
            "bash",
            "coreutils",
            "dnf",
            "s390utils-base",
            "NetworkManager",
            "dracut-config-generic"
        ]
    );
    assert!(!group_ids(&s390x).contains(&"firmware-x86"));
    assert!(
        group_ids(&s390x).contains(&"conflicts-server"),
        "no cleanup per arch"
    );
    assert!(
        s390x
            .environments
            .iter()
            .any(|e| e.id == "mainframe-environment")
    );
    assert!(
        s390x
            .groups
            .iter()
            .flat_map(|g| &g.packages)
            .all(|p| p.arch.is_none())
    );
    // variant= attributes wait for the per-variant filter.
    assert_eq!(
        packages(&s390x, "kde-desktop"),
        ["plasma-desktop", "kde-gtk-config"]
    );
    assert!(s390x.groups[3].packages[1].variant.is_some());

    let x86 = filter_arch(&comps(), "x86_64");
    assert_eq!(packages(&x86, "core")[3], "grub2-efi");
    assert!(group_ids(&x86).contains(&"firmware-x86"));
    assert!(
        !x86.environments
            .iter()
            .any(|e| e.id == "mainframe-environment")
    );
}

#[test]
fn variant_without_groups_keeps_all_groups_but_cleans_up() {
    let everything = VariantFilter {
        uid: "Everything",
        groups: None,
        environments: None,
        lookaside_groups: &[],
    };
    let out = filter(&comps(), "aarch64", &everything);
    assert!(out.unmatched_groups.is_empty());
    // Empty groups go, except the variant's own conflicts group.
    assert!(!group_ids(&out.comps).contains(&"conflicts-server"));
    let server = VariantFilter {
        uid: "Server",
        ..everything
    };
    assert!(group_ids(&filter(&comps(), "aarch64", &server).comps).contains(&"conflicts-server"));
    // variant= packages for other variants go.
    assert_eq!(packages(&out.comps, "kde-desktop"), ["plasma-desktop"]);
    assert_eq!(packages(&out.comps, "server-product"), ["cockpit"]);
    let workstation = &out.comps.environments[0];
    assert!(
        !workstation.groups.iter().any(|g| g.id == "firmware-x86"),
        "groupid arch=x86_64"
    );
    assert!(workstation.groups.iter().all(|g| g.arch.is_none()));
}

#[test]
fn variant_groups_select_override_and_prune_references() {
    let selectors = [
        GroupSelector {
            name: "core".into(),
            glob: false,
            default: None,
            uservisible: None,
        },
        GroupSelector {
            name: "server-*".into(),
            glob: true,
            default: Some(false),
            uservisible: Some(true),
        },
        GroupSelector {
            name: "no-such-group".into(),
            glob: false,
            default: None,
            uservisible: None,
        },
    ];
    let environments = [EnvironmentSelector {
        name: "server-product-environment".into(),
        display_order: Some(7),
    }];
    let server = VariantFilter {
        uid: "Server",
        groups: Some(&selectors),
        environments: Some(&environments),
        lookaside_groups: &[],
    };
    let out = filter(&comps(), "x86_64", &server);
    assert_eq!(group_ids(&out.comps), ["core", "server-product"]);
    assert_eq!(out.unmatched_groups, ["no-such-group"]);
    let product = &out.comps.groups[1];
    assert!(
        !product.default && product.uservisible,
        "selector overrides applied"
    );
    assert_eq!(
        packages(&out.comps, "server-product"),
        ["cockpit", "server-release"]
    );
    // The desktops category lost all its groups and went; servers stays.
    assert_eq!(out.comps.categories.len(), 1);
    assert_eq!(out.comps.categories[0].id, "servers");
    assert_eq!(out.comps.environments.len(), 1);
    assert_eq!(out.comps.environments[0].display_order, Some(7));
    assert_eq!(out.comps.langpacks.len(), 2);
}

#[test]
fn lookaside_groups_stay_in_environments() {
    let selectors = [GroupSelector {
        name: "gnome-desktop".into(),
        glob: false,
        default: None,
        uservisible: None,
    }];
    let lookaside = ["core".to_owned(), "standard".to_owned()];
    let optional = VariantFilter {
        uid: "Workstation-optional",
        groups: Some(&selectors),
        environments: None,
        lookaside_groups: &lookaside,
    };
    let out = filter(&comps(), "x86_64", &optional);
    assert_eq!(group_ids(&out.comps), ["gnome-desktop"]);
    let workstation = &out.comps.environments[0];
    let ids: Vec<_> = workstation.groups.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["core", "standard", "gnome-desktop"]);
    assert!(workstation.options.is_empty());
    // server-product-environment still names core (lookaside) so it survives.
    assert_eq!(out.comps.environments.len(), 2);
}
