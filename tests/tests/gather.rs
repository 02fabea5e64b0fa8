//! Gather's rules on a small hand-made distribution whose right answer was worked
//! out by hand: best-provider choice (and its recorded reason), rich dependencies,
//! Conflicts, Obsoletes, filter_packages, multilib (runtime and devel), comps
//! optional packages, an optional child variant that does not repeat its parent,
//! debuginfo/source placement, sigkeys; and every produced repository closes under
//! `dnf repoclosure` against its lookaside.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pungi_fixtures::BuildSettings;
use pungi_fixtures::build::{build_binary, build_source};
use pungi_fixtures::model::{ArchKind, BinaryPackage, FileSpec, SourcePackage};
use pungi_tests::{compose, describe, require_tool, run_pungi};

/// `(name, arch kind, requires, provides, conflicts, obsoletes, files)`; each its own source.
type Row = (
    &'static str,
    ArchKind,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const N: ArchKind = ArchKind::Native;
const A: ArchKind = ArchKind::Noarch;

const ROWS: &[Row] = &[
    ("base", N, &[], &[], &["postfix"], &[], &[]),
    (
        "app",
        N,
        &[
            "webserver",
            "(tls-openssl or tls-gnutls)",
            "(app-fr if langpack-fr)",
            "libz.so.1()(64bit)",
            "oldtool",
            "mta",
            "editor",
        ],
        &[],
        &[],
        &[],
        &[],
    ),
    ("app-devel", N, &["app"], &[], &[], &[], &[]),
    ("app-fr", A, &[], &[], &[], &[], &[]),
    ("httpd", N, &[], &["webserver"], &[], &[], &[]),
    ("lighttpd", N, &[], &["webserver"], &[], &[], &[]),
    ("tls-openssl", N, &[], &[], &[], &[], &[]),
    ("tls-gnutls", N, &[], &[], &[], &[], &[]),
    ("zlib", N, &[], &[], &[], &[], &["lib:libz.so.1"]),
    ("oldtool", N, &[], &[], &[], &[], &[]),
    (
        "newtool",
        N,
        &[],
        &["oldtool = 2"],
        &[],
        &["oldtool < 2"],
        &[],
    ),
    ("postfix", N, &[], &["mta"], &[], &[], &[]),
    ("sendmail", N, &[], &["mta"], &[], &[], &[]),
    ("vim", N, &[], &["editor"], &[], &[], &[]),
    ("nano", N, &[], &["editor"], &[], &[], &[]),
    ("langpack-fr", A, &[], &[], &[], &[], &[]),
    ("app-lang-de", A, &[], &[], &[], &[], &[]),
    ("app-lang-fr", A, &[], &[], &[], &[], &[]),
    ("app-lang-devel", A, &[], &[], &[], &[], &[]),
];

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn sources() -> Vec<SourcePackage> {
    ROWS.iter().map(source).collect()
}

/// One source package building the single binary package `row` describes.
fn source(row: &Row) -> SourcePackage {
    let (name, kind, req, prov, conf, obs, files) = *row;
    SourcePackage {
        name: name.to_string(),
        epoch: None,
        version: "1.0".into(),
        release: "1".into(),
        license: "MIT".into(),
        url: "https://example.org".into(),
        summary: format!("{name} for gather tests"),
        description: format!("{name} for gather tests."),
        group: "Unspecified".into(),
        build_requires: Vec::new(),
        changelog: Vec::new(),
        binaries: vec![BinaryPackage {
            name: name.to_string(),
            epoch: None,
            kind,
            only_arches: Vec::new(),
            summary: format!("{name} for gather tests"),
            description: format!("{name} for gather tests."),
            requires: strings(req),
            provides: strings(prov),
            conflicts: strings(conf),
            obsoletes: strings(obs),
            recommends: Vec::new(),
            files: files.iter().map(|f| FileSpec::parse(f).unwrap()).collect(),
        }],
    }
}

/// x86_64 repo with i686 builds of zlib and app-devel (for multilib), plus sources.
fn write_input(dir: &Path) {
    let settings = BuildSettings::default();
    let x86 = dir.join("repos/x86_64");
    let src = dir.join("repos/src");
    std::fs::create_dir_all(&x86).unwrap();
    std::fs::create_dir_all(&src).unwrap();
    for source in sources() {
        let bin = &source.binaries[0];
        let mut arches = vec![if bin.kind == A { "noarch" } else { "x86_64" }];
        if ["zlib", "app-devel", "app"].contains(&bin.name.as_str()) {
            arches.push("i686");
        }
        for arch in arches {
            let bytes = build_binary(&source, bin, arch, &settings).unwrap();
            std::fs::write(x86.join(bin.filename(&source, arch)), bytes).unwrap();
        }
        let bytes = build_source(&source, &settings).unwrap();
        std::fs::write(src.join(source.srpm_filename()), bytes).unwrap();
    }
    std::fs::write(dir.join("comps.xml"), COMPS).unwrap();
    std::fs::write(dir.join("variants.xml"), VARIANTS).unwrap();
    std::fs::write(dir.join("gather.conf"), config("sigkeys = [None]")).unwrap();
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
      <packagereq type="mandatory">base</packagereq>
      <packagereq type="default">app</packagereq>
      <packagereq type="optional">app-devel</packagereq>
    </packagelist>
  </group>
  <langpacks>
    <match name="app" install="app-lang-%s"/>
    <match name="vim" install="vim-lang-%s"/>
  </langpacks>
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
    </variants>
  </variant>
</variants>
"#;

fn config(sigkeys: &str) -> String {
    format!(
        r#"release_name = "Gather"
release_short = "Gather"
release_version = "1.0"
release_type = "ga"
comps_file = "comps.xml"
variants_file = "variants.xml"
{sigkeys}
pkgset_source = "repos"
pkgset_repos = {{"x86_64": ["repos/x86_64"], "src": ["repos/src"]}}
gather_method = "deps"
multilib = [("^Server$", {{"*": ["runtime", "devel"]}})]
multilib_blacklist = {{"*": ["app"]}}
additional_packages = [("^Server-optional$", {{"*": ["lighttpd", "app-fr", "zlib"]}})]
filter_packages = [("^Server$", {{"*": ["vim"]}})]
createrepo_checksum = "sha256"
"#
    )
}

struct Run {
    _dir: tempfile::TempDir,
    input: PathBuf,
    cache: PathBuf,
    compose: PathBuf,
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("input");
        write_input(&input);
        let cache = dir.path().join("cache");
        let compose = compose(
            &input.join("gather.conf"),
            &dir.path().join("composes"),
            &cache,
            &["--skip-phase", "test"],
        );
        Run {
            _dir: dir,
            input,
            cache,
            compose,
        }
    })
}

fn rpms(tree: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![tree.join("Packages")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                found.insert(name.trim_end_matches(".rpm").replace("-1.0-1", ""));
            }
        }
    }
    found
}

fn reasons(variant: &str) -> serde_json::Value {
    let path = run()
        .compose
        .join(format!("work/x86_64/gather/{variant}.x86_64.reasons.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn server_gets_exactly_the_hand_checked_closure() {
    let got = rpms(&run().compose.join("compose/Server/x86_64/os"));
    let want: BTreeSet<String> = [
        "base.x86_64",        // comps mandatory
        "app.x86_64",         // comps default
        "app-devel.x86_64",   // comps optional
        "app-devel.i686",     // multilib devel (app is blacklisted)
        "httpd.x86_64",       // webserver: httpd over lighttpd, shortest name
        "tls-openssl.x86_64", // (tls-openssl or tls-gnutls): the first alternative
        "zlib.x86_64",        // libz.so.1()(64bit)
        "zlib.i686",          // multilib runtime: a shared library
        "newtool.x86_64",     // oldtool: newtool obsoletes the real oldtool
        "sendmail.x86_64",    // mta: postfix conflicts with base
        "nano.x86_64",        // editor: vim is filtered
        "app-fr.noarch",      // (app-fr if langpack-fr): ships for systems with langpack-fr
        "app-lang-de.noarch", // comps langpacks: app-lang-%s of app (not app-lang-devel)
        "app-lang-fr.noarch", // the same
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(got, want, "langpack-fr is out: nothing requires it");
}

#[test]
fn every_choice_is_explained() {
    let r = reasons("Server");
    let text = |nevra: &str| r[nevra].as_str().unwrap_or_default().to_owned();
    assert_eq!(text("base-1.0-1.x86_64"), "comps group core (mandatory)");
    // Pungi's add_langpack_packages: every langpack of a chosen package, no -devel.
    assert_eq!(
        text("app-lang-de-1.0-1.noarch"),
        "langpack of app (comps `app-lang-%s`)"
    );
    assert!(text("httpd-1.0-1.x86_64").contains("shortest name"), "{r}");
    assert!(
        text("newtool-1.0-1.x86_64").contains("obsoleted"),
        "{}",
        text("newtool-1.0-1.x86_64")
    );
    assert!(
        text("zlib-1.0-1.i686").contains("multilib method runtime"),
        "{r}"
    );
    assert!(
        text("app-devel-1.0-1.i686").contains("multilib method devel"),
        "{r}"
    );
    assert!(
        text("sendmail-1.0-1.x86_64").contains("requires `mta`"),
        "{r}"
    );
    assert!(
        text("app-fr-1.0-1.noarch")
            .contains("`(app-fr if langpack-fr)` ships for systems that meet its condition"),
        "{}",
        text("app-fr-1.0-1.noarch")
    );
}

#[test]
fn optional_child_does_not_repeat_its_parent() {
    let got = rpms(&run().compose.join("compose/Server-optional/x86_64/os"));
    let want: BTreeSet<String> = ["lighttpd.x86_64"].into_iter().map(String::from).collect();
    assert_eq!(got, want, "app-fr and zlib are shipped by Server already");
}

#[test]
fn sources_and_categories_land_in_their_trees() {
    let compose = &run().compose;
    let sources = rpms(&compose.join("compose/Server/source/tree"));
    assert!(
        sources.contains("app.src") && sources.contains("zlib.src"),
        "{sources:?}"
    );
    assert!(!sources.contains("vim.src"), "{sources:?}");
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(compose.join("compose/metadata/rpms.json")).unwrap(),
    )
    .unwrap();
    let server = &meta["payload"]["rpms"]["Server"]["x86_64"];
    let app = &server["app-0:1.0-1.src"];
    assert_eq!(app["app-0:1.0-1.src"]["category"], "source", "{app}");
    assert_eq!(app["app-0:1.0-1.x86_64"]["category"], "binary", "{app}");
}

#[test]
fn every_repo_closes_under_dnf_repoclosure_against_its_lookaside() {
    require_tool("dnf", "dnf dnf-plugins-core");
    let compose = &run().compose;
    let server = compose.join("compose/Server/x86_64/os");
    let optional = compose.join("compose/Server-optional/x86_64/os");
    for (repo, lookaside) in [(&server, None), (&optional, Some(&server))] {
        let mut command = Command::new("dnf");
        command
            .args([
                "repoclosure",
                "-q",
                "--releasever",
                "1",
                "--setopt=reposdir=/dev/null",
            ])
            .arg(format!("--repofrompath=r,{}", repo.display()))
            .args(["--repo", "r", "--check", "r", "--forcearch", "x86_64"])
            .args(["--arch", "x86_64", "--arch", "noarch", "--arch", "i686"])
            .arg(format!(
                "--setopt=cachedir={}",
                run().cache.join("dnf").display()
            ));
        if let Some(l) = lookaside {
            command
                .arg(format!("--repofrompath=l,{}", l.display()))
                .args(["--repo", "l"]);
        }
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "{}: {}",
            repo.display(),
            describe(&output)
        );
    }
}

#[test]
fn a_required_key_missing_is_a_clear_error_naming_the_package() {
    let input = &run().input;
    let conf = input.join("signed.conf");
    std::fs::write(&conf, config("sigkeys = [\"deadbeef\"]")).unwrap();
    let target = tempfile::tempdir().unwrap();
    let conf_s = conf.to_str().unwrap();
    let target_s = target.path().to_str().unwrap();
    let output = run_pungi(
        &[
            "compose",
            "--config",
            conf_s,
            "--target-dir",
            target_s,
            "--nightly",
        ],
        &run().cache,
    );
    assert!(!output.status.success(), "{}", describe(&output));
    let all = describe(&output);
    let log = std::fs::read_dir(target.path())
        .unwrap()
        .flatten()
        .map(|e| e.path().join("logs/global/pkgset.global.log"))
        .find(|p| p.is_file())
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap_or_default();
    let text = format!("{all}\n{log}");
    assert!(
        text.contains("deadbeef") && text.contains("app-1.0-1.src") && text.contains("is unsigned"),
        "{text}"
    );
}

/// `gather_lookaside_repos`: `layered` needs `base-lib` and `/usr/bin/base-tool`, which
/// only a lookaside repository has. With it the compose resolves both and ships neither;
/// without it the same compose fails on the unresolved dependencies.
#[test]
fn lookaside_repos_satisfy_dependencies_and_ship_nothing() {
    require_tool("createrepo_c", "createrepo-c");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path();
    let settings = BuildSettings::default();
    let layered: Row = (
        "layered",
        N,
        &["base-lib", "/usr/bin/base-tool"],
        &[],
        &[],
        &[],
        &[],
    );
    let base: Row = (
        "base-lib",
        N,
        &[],
        &[],
        &[],
        &[],
        &["file:/usr/bin/base-tool"],
    );
    for (row, repo) in [(&layered, "repos/x86_64"), (&base, "lookaside/x86_64")] {
        let source = source(row);
        let bin = &source.binaries[0];
        std::fs::create_dir_all(input.join(repo)).unwrap();
        let bytes = build_binary(&source, bin, "x86_64", &settings).unwrap();
        std::fs::write(
            input.join(repo).join(bin.filename(&source, "x86_64")),
            bytes,
        )
        .unwrap();
        std::fs::create_dir_all(input.join("repos/src")).unwrap();
        let srpm = build_source(&source, &settings).unwrap();
        std::fs::write(input.join("repos/src").join(source.srpm_filename()), srpm).unwrap();
    }
    let createrepo = Command::new("createrepo_c")
        .arg("-q")
        .arg(input.join("lookaside/x86_64"))
        .output()
        .unwrap();
    assert!(createrepo.status.success(), "{}", describe(&createrepo));
    std::fs::write(
        input.join("comps.xml"),
        COMPS.replace(
            "<packagereq type=\"mandatory\">base</packagereq>",
            "<packagereq type=\"mandatory\">layered</packagereq>",
        ),
    )
    .unwrap();
    std::fs::write(input.join("variants.xml"), VARIANTS).unwrap();
    let plain = config("sigkeys = [None]")
        .lines()
        .filter(|l| {
            !l.starts_with("multilib") && !l.starts_with("additional") && !l.starts_with("filter")
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(input.join("without.conf"), &plain).unwrap();
    std::fs::write(
        input.join("with.conf"),
        format!(
            "{plain}\ngather_lookaside_repos = [(\"^Server$\", {{\"*\": \"lookaside/x86_64\"}})]\n"
        ),
    )
    .unwrap();
    let cache = input.join("cache");
    let skip = ["--skip-phase", "test", "--skip-phase", "createiso"];

    let failed = pungi_tests::try_compose(
        &input.join("without.conf"),
        &input.join("out1"),
        &cache,
        &skip,
    );
    assert!(!failed.status.success(), "{}", describe(&failed));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("base-lib"), "{stderr}");

    let compose = compose(&input.join("with.conf"), &input.join("out2"), &cache, &skip);
    let shipped = rpms(&compose.join("compose/Server/x86_64/os"));
    assert_eq!(shipped, BTreeSet::from(["layered.x86_64".to_owned()]));
    let listed = std::fs::read_to_string(compose.join("compose/metadata/rpms.json")).unwrap();
    assert!(
        listed.contains("layered-0:1.0-1.x86_64") && !listed.contains("base-lib"),
        "{listed}"
    );
    let reasons: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(compose.join("work/x86_64/gather/Server.x86_64.reasons.json"))
            .unwrap(),
    )
    .unwrap();
    assert!(reasons.get("base-lib-1.0-1.x86_64").is_none(), "{reasons}");
    assert!(reasons.get("layered-1.0-1.x86_64").is_some(), "{reasons}");
}

/// Pungi's `hashed_directories` defaults to False (pungi/checks.py); set, a package goes
/// under the first letter of its file name, lower-case (`get_package_path` in
/// pungi/phases/gather/link.py). rpms.json names the same paths.
#[test]
fn packages_sit_in_packages_unless_hashed_directories_is_set() {
    let run = run();
    let flat = run.compose.join("compose/Server/x86_64/os/Packages");
    assert!(flat.join("base-1.0-1.x86_64.rpm").is_file());
    assert!(!flat.join("b").exists(), "no letter directories by default");
    let rpms = |compose: &Path| -> serde_json::Value {
        let text = std::fs::read_to_string(compose.join("compose/metadata/rpms.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let base_path = |rpms: &serde_json::Value| {
        rpms["payload"]["rpms"]["Server"]["x86_64"]["base-0:1.0-1.src"]["base-0:1.0-1.x86_64"]
            ["path"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        base_path(&rpms(&run.compose)),
        "Server/x86_64/os/Packages/base-1.0-1.x86_64.rpm"
    );

    let dir = tempfile::tempdir().unwrap();
    let config = run.input.join("hashed.conf");
    std::fs::write(&config, "from gather import *\nhashed_directories = True\n").unwrap();
    let hashed = compose(
        &config,
        &dir.path().join("composes"),
        &run.cache,
        &["--skip-phase", "test"],
    );
    let tree = hashed.join("compose/Server/x86_64/os/Packages");
    assert!(tree.join("b/base-1.0-1.x86_64.rpm").is_file());
    assert_eq!(
        base_path(&rpms(&hashed)),
        "Server/x86_64/os/Packages/b/base-1.0-1.x86_64.rpm"
    );
}

/// Pungi makes a debug repository for every variant.arch it makes packages for, even one
/// without debuginfo, and gives comps groups only to the binary repository.
#[test]
fn every_binary_tree_has_a_debug_repository_without_comps() {
    let compose = &run().compose;
    let repomd = |tree: &str| {
        std::fs::read_to_string(
            compose.join(format!("compose/Server/x86_64/{tree}/repodata/repomd.xml")),
        )
        .unwrap_or_else(|e| panic!("{tree}: {e}"))
    };
    assert!(repomd("os").contains("<data type=\"group\""));
    assert!(!repomd("debug/tree").contains("type=\"group"));
}

/// Debuginfo as Pungi selects it: a name matching its `DEBUG_PATTERNS` (`*-debuginfo`,
/// `*-debuginfo-*`, `*-debugsource`; pungi/util.py) is debuginfo, and a tree ships the
/// debuginfo of a chosen package's source on that package's arch only (gather_dnf.py
/// adds native and multilib debuginfo separately). `name.+` asks for the multilib
/// package of `name`.
///
/// `lib` and `tool` are built for x86_64 and i686, each with debuginfo on both; `lib`
/// also has `lib-debuginfo-common`. Server asks for `lib`, `tool` and `lib.+`, so ships
/// lib on both arches and tool on x86_64 only.
#[test]
fn debuginfo_follows_the_arches_shipped_and_name_plus_is_the_multilib_package() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path();
    let settings = BuildSettings::default();
    let x86 = input.join("repos/x86_64");
    let src = input.join("repos/src");
    std::fs::create_dir_all(&x86).unwrap();
    std::fs::create_dir_all(&src).unwrap();
    for (name, debug) in [
        ("lib", &["lib-debuginfo", "lib-debuginfo-common"][..]),
        ("tool", &["tool-debuginfo"][..]),
    ] {
        let mut source = source(&(name, N, &[], &[], &[], &[], &[]));
        let main = source.binaries[0].clone();
        for debug_name in debug {
            let mut binary = main.clone();
            binary.name = debug_name.to_string();
            source.binaries.push(binary);
        }
        for binary in &source.binaries {
            let arches: &[&str] = if binary.name.ends_with("-common") {
                &["x86_64"]
            } else {
                &["x86_64", "i686"]
            };
            for arch in arches {
                let bytes = build_binary(&source, binary, arch, &settings).unwrap();
                std::fs::write(x86.join(binary.filename(&source, arch)), bytes).unwrap();
            }
        }
        let bytes = build_source(&source, &settings).unwrap();
        std::fs::write(src.join(source.srpm_filename()), bytes).unwrap();
    }
    std::fs::write(
        input.join("comps.xml"),
        COMPS
            .replace(
                "<packagereq type=\"mandatory\">base</packagereq>",
                "<packagereq type=\"mandatory\">lib</packagereq>",
            )
            .replace(
                "<packagereq type=\"default\">app</packagereq>",
                "<packagereq type=\"default\">tool</packagereq>",
            )
            .replace("<packagereq type=\"optional\">app-devel</packagereq>", ""),
    )
    .unwrap();
    std::fs::write(input.join("variants.xml"), VARIANTS).unwrap();
    let plain = config("sigkeys = [None]")
        .lines()
        .filter(|l| !l.starts_with("multilib") && !l.starts_with("additional"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(
        input.join("debug.conf"),
        format!("{plain}\nadditional_packages = [(\"^Server$\", {{\"*\": [\"lib.+\"]}})]\n"),
    )
    .unwrap();
    let compose = compose(
        &input.join("debug.conf"),
        &input.join("out"),
        &input.join("cache"),
        &["--skip-phase", "test", "--skip-phase", "createiso"],
    );
    let tree = |path: &str| rpms(&compose.join("compose/Server/x86_64").join(path));
    let set =
        |names: &[&str]| -> BTreeSet<String> { names.iter().map(|n| n.to_string()).collect() };
    assert_eq!(tree("os"), set(&["lib.x86_64", "lib.i686", "tool.x86_64"]));
    assert_eq!(
        tree("debug/tree"),
        set(&[
            "lib-debuginfo.x86_64",
            "lib-debuginfo.i686",
            "lib-debuginfo-common.x86_64",
            "tool-debuginfo.x86_64",
        ]),
        "no tool-debuginfo.i686: no tool.i686 ships"
    );
}
