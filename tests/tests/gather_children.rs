//! Gather for child variants (optional, addon, layered product) on a hand-made
//! distribution, each expected list worked out by hand from Pungi's rules:
//!
//! - pungi/phases/gather/methods/method_deps.py, `resolve_deps`: an optional variant is
//!   solved with fulltree and selfhosting, an addon or layered product with fulltree
//!   and without selfhosting.
//! - pungi/phases/gather/__init__.py, `gather_wrapper`: plain variants first, then
//!   addons and layered products (`_gather_variants(..., exclude_fulltree=True)`: their
//!   parent's sources are fulltree excludes), then optional ones; `get_variant_packages`
//!   solves an optional variant with the inputs of its parent and the parent's addons
//!   and layered products, an addon with its parent's.
//! - the same file, `_trim_variants`/`trim_packages`: what the parent has is removed
//!   from a child, binary, source and debuginfo alike; addon packages are removed from
//!   layered products (binary only: their sources and debuginfo stay) and from optional.
//! - pungi/gather_dnf.py, `add_fulltree_packages` (every subpackage of a chosen
//!   package's source), `add_source_package_deps` (a source's BuildRequires) and
//!   `add_debug_packages` (`<name>-debuginfo` and `*-debugsource` of a chosen package).
//!
//! The distribution (x86_64; every source named after its first binary):
//!
//! | source   | binaries                                             | BuildRequires      |
//! |----------|------------------------------------------------------|--------------------|
//! | core     | core (needs shared-libs), core-devel, core-doc (noarch), core-debuginfo, core-debugsource | |
//! | tool     | tool                                                 | builddep-lib-devel |
//! | shared   | shared-libs, shared-utils, shared-libs-debuginfo     |                    |
//! | builddep | builddep-lib, builddep-lib-devel (needs builddep-lib), builddep-lib-debuginfo | |
//! | opt      | opt-tool, opt-extra, opt-unwanted                    |                    |
//! | ha       | ha-agent (needs core, ha-common), ha-common (noarch), ha-devel, ha-agent-debuginfo | ha-builddep |
//! | ha-builddep | ha-builddep                                       |                    |
//! | lp       | lp-app (needs ha-agent, lp-data), lp-data (noarch), lp-app-debuginfo | |
//!
//! Variants: `Server` (comps: core, tool) with the optional `Server-optional`
//! (`additional_packages`: opt-tool, shared-libs; `filter_packages`: opt-unwanted), the
//! addon `Server-HA` (ha-agent) and the layered product `Server-LP` (lp-app).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pungi_fixtures::BuildSettings;
use pungi_fixtures::build::{build_binary, build_source};
use pungi_fixtures::model::{ArchKind, BinaryPackage, SourcePackage};
use pungi_tests::compose;

const N: ArchKind = ArchKind::Native;
const A: ArchKind = ArchKind::Noarch;

/// `(source, BuildRequires, [(binary, arch kind, requires)])`.
type Source = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, ArchKind, &'static [&'static str])],
);

const SOURCES: &[Source] = &[
    (
        "core",
        &[],
        &[
            ("core", N, &["shared-libs"]),
            ("core-devel", N, &["core"]),
            ("core-doc", A, &[]),
            ("core-debuginfo", N, &[]),
            ("core-debugsource", N, &[]),
        ],
    ),
    ("tool", &["builddep-lib-devel"], &[("tool", N, &[])]),
    (
        "shared",
        &[],
        &[
            ("shared-libs", N, &[]),
            ("shared-utils", N, &["shared-libs"]),
            ("shared-libs-debuginfo", N, &[]),
        ],
    ),
    (
        "builddep",
        &[],
        &[
            ("builddep-lib", N, &[]),
            ("builddep-lib-devel", N, &["builddep-lib"]),
            ("builddep-lib-debuginfo", N, &[]),
        ],
    ),
    (
        "opt",
        &[],
        &[
            ("opt-tool", N, &[]),
            ("opt-extra", N, &[]),
            ("opt-unwanted", N, &[]),
        ],
    ),
    (
        "ha",
        &["ha-builddep"],
        &[
            ("ha-agent", N, &["core", "ha-common"]),
            ("ha-common", A, &[]),
            ("ha-devel", N, &["ha-agent"]),
            ("ha-agent-debuginfo", N, &[]),
        ],
    ),
    ("ha-builddep", &[], &[("ha-builddep", N, &[])]),
    (
        "lp",
        &[],
        &[
            ("lp-app", N, &["ha-agent", "lp-data"]),
            ("lp-data", A, &[]),
            ("lp-app-debuginfo", N, &[]),
        ],
    ),
];

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn source_package((name, build_requires, binaries): &Source) -> SourcePackage {
    let binary = |(binary, kind, requires): &(&str, ArchKind, &[&str])| BinaryPackage {
        name: binary.to_string(),
        epoch: None,
        kind: *kind,
        only_arches: Vec::new(),
        summary: format!("{binary} for child variant tests"),
        description: format!("{binary} for child variant tests."),
        requires: strings(requires),
        provides: Vec::new(),
        conflicts: Vec::new(),
        obsoletes: Vec::new(),
        recommends: Vec::new(),
        files: Vec::new(),
    };
    SourcePackage {
        name: name.to_string(),
        epoch: None,
        version: "1.0".into(),
        release: "1".into(),
        license: "MIT".into(),
        url: "https://example.org".into(),
        summary: format!("{name} for child variant tests"),
        description: format!("{name} for child variant tests."),
        group: "Unspecified".into(),
        build_requires: strings(build_requires),
        changelog: Vec::new(),
        binaries: binaries.iter().map(binary).collect(),
    }
}

const COMPS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group>
    <id>core</id>
    <name>Core</name>
    <description>Core</description>
    <default>true</default>
    <uservisible>true</uservisible>
    <packagelist>
      <packagereq type="mandatory">core</packagereq>
      <packagereq type="mandatory">tool</packagereq>
    </packagelist>
  </group>
</comps>
"#;

const VARIANTS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<variants>
  <variant id="Server" name="Server" type="variant">
    <arches><arch>x86_64</arch></arches>
    <groups><group>core</group></groups>
    <variants>
      <variant id="optional" name="optional" type="optional">
        <arches><arch>x86_64</arch></arches>
      </variant>
      <variant id="HA" name="High Availability" type="addon">
        <arches><arch>x86_64</arch></arches>
      </variant>
      <variant id="LP" name="Layered" type="layered-product">
        <release name="Layered" version="1.0" short="LP"/>
        <arches><arch>x86_64</arch></arches>
      </variant>
    </variants>
  </variant>
</variants>
"#;

const CONFIG: &str = r#"release_name = "Children"
release_short = "Children"
release_version = "1.0"
release_type = "ga"
comps_file = "comps.xml"
variants_file = "variants.xml"
sigkeys = [None]
pkgset_source = "repos"
pkgset_repos = {"x86_64": ["repos/x86_64"], "src": ["repos/src"]}
gather_method = "deps"
additional_packages = [
    ("^Server-optional$", {"*": ["opt-tool", "shared-libs"]}),
    ("^Server-HA$", {"*": ["ha-agent"]}),
    ("^Server-LP$", {"*": ["lp-app"]}),
]
filter_packages = [("^Server-optional$", {"*": ["opt-unwanted"]})]
createrepo_checksum = "sha256"
"#;

fn run() -> &'static Path {
    static RUN: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, compose_dir) = RUN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("input");
        let settings = BuildSettings::default();
        let x86 = input.join("repos/x86_64");
        let src = input.join("repos/src");
        std::fs::create_dir_all(&x86).unwrap();
        std::fs::create_dir_all(&src).unwrap();
        for source in SOURCES.iter().map(source_package) {
            for binary in &source.binaries {
                let arch = if binary.kind == A { "noarch" } else { "x86_64" };
                let bytes = build_binary(&source, binary, arch, &settings).unwrap();
                std::fs::write(x86.join(binary.filename(&source, arch)), bytes).unwrap();
            }
            let bytes = build_source(&source, &settings).unwrap();
            std::fs::write(src.join(source.srpm_filename()), bytes).unwrap();
        }
        std::fs::write(input.join("comps.xml"), COMPS).unwrap();
        std::fs::write(input.join("variants.xml"), VARIANTS).unwrap();
        std::fs::write(input.join("children.conf"), CONFIG).unwrap();
        let compose_dir = compose(
            &input.join("children.conf"),
            &dir.path().join("composes"),
            &dir.path().join("cache"),
            &["--skip-phase", "test", "--skip-phase", "createiso"],
        );
        (dir, compose_dir)
    });
    compose_dir
}

/// The packages of a tree (`os`, `debug/tree` or `source/tree` of a variant), as
/// `name.arch`.
fn tree(variant: &str, tree: &str) -> BTreeSet<String> {
    let dir = match tree {
        "source/tree" => run().join(format!("compose/{variant}/source/tree/Packages")),
        _ => run().join(format!("compose/{variant}/x86_64/{tree}/Packages")),
    };
    std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .map(|n| n.trim_end_matches(".rpm").replace("-1.0-1", ""))
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn reason(variant: &str, nevra: &str) -> String {
    let path = run().join(format!("work/x86_64/gather/{variant}.x86_64.reasons.json"));
    let reasons: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    reasons[nevra].as_str().unwrap_or_default().to_owned()
}

/// The parent is gathered as any variant: its comps packages and their dependencies,
/// the debuginfo named after them (`add_debug_packages`), their sources.
#[test]
fn the_parent_ships_its_closure_only() {
    assert_eq!(
        tree("Server", "os"),
        set(&["core.x86_64", "tool.x86_64", "shared-libs.x86_64"])
    );
    assert_eq!(
        tree("Server", "debug/tree"),
        set(&[
            "core-debuginfo.x86_64",
            "core-debugsource.x86_64",
            "shared-libs-debuginfo.x86_64",
        ])
    );
    assert_eq!(
        tree("Server", "source/tree"),
        set(&["core.src", "tool.src", "shared.src"])
    );
}

/// Optional is solved with its parent's inputs and fulltree (`resolve_deps`), so it
/// gets every subpackage of the parent's sources the parent does not ship (core-devel,
/// core-doc of core; shared-utils of shared), and of its own sources (opt-extra of
/// opt-tool's source) except what its `filter_packages` names (opt-unwanted); with
/// selfhosting the BuildRequires of tool (builddep-lib-devel, and builddep-lib it
/// needs) and of the addon's ha (ha-builddep); nothing the parent, the addon or the
/// layered product ships (`trim_packages`), though shared-libs is asked for.
#[test]
fn optional_ships_exactly_fulltree_and_selfhosting_less_what_is_shipped_above_it() {
    assert_eq!(
        tree("Server-optional", "os"),
        set(&[
            "core-devel.x86_64",
            "core-doc.noarch",
            "shared-utils.x86_64",
            "builddep-lib.x86_64",
            "builddep-lib-devel.x86_64",
            "opt-tool.x86_64",
            "opt-extra.x86_64",
            "ha-builddep.x86_64",
        ])
    );
}

/// `add_fulltree_packages` on a package the optional variant takes itself: the other
/// subpackages of its source, and only those; the reason names the source.
#[test]
fn optional_takes_every_subpackage_of_a_source_whose_one_binary_it_takes() {
    let optional = tree("Server-optional", "os");
    let of_opt: BTreeSet<String> = optional
        .into_iter()
        .filter(|p| p.starts_with("opt-"))
        .collect();
    assert_eq!(of_opt, set(&["opt-tool.x86_64", "opt-extra.x86_64"]));
    assert_eq!(
        reason("Server-optional", "opt-extra-1.0-1.x86_64"),
        "fulltree of opt-1.0-1.src"
    );
    assert_eq!(
        reason("Server-optional", "core-devel-1.0-1.x86_64"),
        "fulltree of core-1.0-1.src"
    );
}

/// `add_source_package_deps`: a BuildRequires of a source the parent ships goes to
/// optional, with what it needs in turn; the reason names the source.
#[test]
fn optional_gets_the_build_requirements_of_its_sources() {
    assert_eq!(
        reason("Server-optional", "builddep-lib-devel-1.0-1.x86_64"),
        "selfhosting of tool-1.0-1.src: builds with `builddep-lib-devel`"
    );
    assert!(
        reason("Server-optional", "builddep-lib-1.0-1.x86_64")
            .starts_with("requires `builddep-lib` of builddep-lib-devel-1.0-1.x86_64"),
        "{}",
        reason("Server-optional", "builddep-lib-1.0-1.x86_64")
    );
}

/// `trim_packages` removes the parent's packages from optional in all three kinds:
/// shared-libs (asked for) is not in its binary tree, core-debuginfo, core-debugsource
/// and shared-libs-debuginfo not in its debug tree, core.src, tool.src and shared.src
/// not in its source tree, though its own packages come from those sources.
#[test]
fn optional_ships_no_binary_source_or_debuginfo_package_its_parent_has() {
    assert!(!tree("Server-optional", "os").contains("shared-libs.x86_64"));
    assert_eq!(
        tree("Server-optional", "debug/tree"),
        set(&["builddep-lib-debuginfo.x86_64"])
    );
    assert_eq!(
        tree("Server-optional", "source/tree"),
        set(&["builddep.src", "opt.src", "ha-builddep.src"])
    );
    assert!(reason("Server-optional", "shared-libs-1.0-1.x86_64").is_empty());
}

/// An addon: fulltree over its own sources (ha-devel, ha-common), none over its
/// parent's (core is its dependency, but core-devel and core-doc stay out: core's
/// source is a fulltree exclude), no selfhosting (ha-builddep stays out), and none of
/// the parent's packages in any tree.
#[test]
fn addon_takes_its_own_sources_subpackages_but_not_its_parents() {
    assert_eq!(
        tree("Server-HA", "os"),
        set(&["ha-agent.x86_64", "ha-common.noarch", "ha-devel.x86_64"])
    );
    assert_eq!(
        tree("Server-HA", "debug/tree"),
        set(&["ha-agent-debuginfo.x86_64"])
    );
    assert_eq!(tree("Server-HA", "source/tree"), set(&["ha.src"]));
    assert_eq!(
        reason("Server-HA", "ha-devel-1.0-1.x86_64"),
        "fulltree of ha-1.0-1.src"
    );
}

/// A layered product: like an addon, and the binary packages of its parent's addons are
/// not repeated (lp-app needs ha-agent, which the addon ships).
#[test]
fn layered_product_leaves_its_parents_addon_packages_to_the_addon() {
    assert_eq!(
        tree("Server-LP", "os"),
        set(&["lp-app.x86_64", "lp-data.noarch"])
    );
    assert_eq!(
        tree("Server-LP", "debug/tree"),
        set(&["lp-app-debuginfo.x86_64"])
    );
    assert_eq!(tree("Server-LP", "source/tree"), set(&["lp.src"]));
}

/// Optional leaves the packages of its parent's addons and layered products out
/// (`_trim_variants` with the addon and layered-product names), in every tree, but is
/// solved with their inputs (`get_variant_packages`), so the addon's build requirement
/// ha-builddep is optional's.
#[test]
fn optional_leaves_addon_and_layered_packages_out_but_builds_them() {
    let optional = tree("Server-optional", "os");
    assert!(
        optional
            .iter()
            .all(|p| !p.starts_with("ha-agent") && !p.starts_with("lp-")),
        "{optional:?}"
    );
    assert_eq!(
        reason("Server-optional", "ha-builddep-1.0-1.x86_64"),
        "selfhosting of ha-1.0-1.src: builds with `ha-builddep`"
    );
}

/// `gather_fulltree` and `gather_selfhosting` on a plain variant (`resolve_deps` takes
/// them from the config for type `variant`), on x86_64 with i686 builds:
///
/// - `m` builds m-libs and m-tools (x86_64 and i686) and m-data (noarch); `Everything`
///   asks for `m-libs.i686` only. `add_fulltree_packages`: no native subpackage is in
///   but a multilib one is, so it pulls the multilib ones (m-tools.i686), and noarch
///   always (m-data), never m-libs.x86_64 or m-tools.x86_64.
/// - `n` builds n-main and n-extra (x86_64 and i686); `Everything` asks for `n-main`:
///   a native one is in, so the native n-extra.x86_64 comes, no i686 one.
/// - `n`'s BuildRequires are bdep (taken) and ghost-devel, which nothing provides: a
///   warning, and the compose (check_deps on) finishes.
#[test]
fn plain_variant_fulltree_follows_the_arch_kind_in_and_selfhosting_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    let settings = BuildSettings::default();
    let x86 = input.join("repos/x86_64");
    let src = input.join("repos/src");
    std::fs::create_dir_all(&x86).unwrap();
    std::fs::create_dir_all(&src).unwrap();
    let both: &[&str] = &["x86_64", "i686"];
    let sources: [(Source, &[&str]); 3] = [
        (
            (
                "m",
                &[],
                &[("m-libs", N, &[]), ("m-tools", N, &[]), ("m-data", A, &[])],
            ),
            both,
        ),
        (
            (
                "n",
                &["bdep", "ghost-devel"],
                &[("n-main", N, &[]), ("n-extra", N, &[])],
            ),
            both,
        ),
        (("bdep", &[], &[("bdep", N, &[])]), &["x86_64"]),
    ];
    for (row, arches) in &sources {
        let source = source_package(row);
        for binary in &source.binaries {
            let arches: &[&str] = if binary.kind == A {
                &["noarch"]
            } else {
                arches
            };
            for arch in arches {
                let bytes = build_binary(&source, binary, arch, &settings).unwrap();
                std::fs::write(x86.join(binary.filename(&source, arch)), bytes).unwrap();
            }
        }
        let bytes = build_source(&source, &settings).unwrap();
        std::fs::write(src.join(source.srpm_filename()), bytes).unwrap();
    }
    std::fs::write(input.join("comps.xml"), COMPS).unwrap();
    std::fs::write(
        input.join("variants.xml"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<variants>
  <variant id="Everything" name="Everything" type="variant">
    <arches><arch>x86_64</arch></arches>
  </variant>
</variants>
"#,
    )
    .unwrap();
    let config = CONFIG
        .lines()
        .take_while(|l| !l.starts_with("additional_packages"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(
        input.join("plain.conf"),
        format!(
            "{config}\nadditional_packages = [(\"^Everything$\", {{\"*\": [\"m-libs.i686\", \"n-main\"]}})]\n\
             gather_fulltree = True\ngather_selfhosting = True\ncheck_deps = True\n\
             createrepo_checksum = \"sha256\"\n"
        ),
    )
    .unwrap();
    let compose_dir = compose(
        &input.join("plain.conf"),
        &dir.path().join("composes"),
        &dir.path().join("cache"),
        &["--skip-phase", "test", "--skip-phase", "createiso"],
    );
    let os = compose_dir.join("compose/Everything/x86_64/os/Packages");
    let got: BTreeSet<String> = std::fs::read_dir(&os)
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .map(|n| n.trim_end_matches(".rpm").replace("-1.0-1", ""))
        .collect();
    assert_eq!(
        got,
        set(&[
            "m-libs.i686",
            "m-tools.i686",
            "m-data.noarch",
            "n-main.x86_64",
            "n-extra.x86_64",
            "bdep.x86_64",
        ])
    );
    let log = std::fs::read_to_string(compose_dir.join("logs/global/gather.global.log"))
        .unwrap_or_default();
    assert!(
        log.contains("selfhosting: n-1.0-1.src: nothing provides `ghost-devel`"),
        "{log}"
    );
}
