//! The corpus in `tests/configs/`: configs in the style of real distribution composes
//! each load and validate cleanly with their variants and comps, and each deliberately
//! broken copy yields the expected error at the expected line.

use std::path::{Path, PathBuf};

use pungi_config::schema::Severity;
use pungi_config::{check_files, load};

/// The entry configs (the others are fragments they include).
const CONFIGS: &[&str] = &[
    "fedora-rawhide/fedora-rawhide.conf",
    "rhel/rhel-9.conf",
    "minimal/minimal.conf",
    "centos-stream/centos-stream.conf",
    "fedora-iot/fedora-iot.conf",
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/configs")
}

/// `line: severity: message` of what checking `config` finds, load errors included.
fn problems(config: &Path) -> Vec<(PathBuf, usize, Severity, String)> {
    match load(config) {
        Err(e) => vec![(e.path, e.line, Severity::Error, e.message)],
        Ok(loaded) => check_files(&loaded)
            .report
            .diagnostics
            .into_iter()
            .map(|d| (d.path, d.line, d.severity, d.message))
            .collect(),
    }
}

#[test]
fn every_config_validates_cleanly() {
    for name in CONFIGS {
        let path = corpus().join(name);
        let loaded = load(&path).unwrap_or_else(|e| panic!("{e}"));
        let checked = check_files(&loaded);
        let listed: Vec<String> = checked
            .report
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(listed.is_empty(), "{name}:\n{}", listed.join("\n"));
        assert!(
            checked.variants.is_some_and(|v| v.iter().count() > 0),
            "{name}"
        );
    }
}

#[test]
fn includes_and_formatting_are_resolved() {
    let rhel = load(&corpus().join("rhel/rhel-9.conf")).unwrap();
    assert_eq!(rhel.files.len(), 3, "the config and its two fragments");
    assert_eq!(rhel.options["release_short"].as_str(), Some("RHEL"));
    assert_eq!(rhel.options["koji_profile"].as_str(), Some("brew"));
    assert!(
        rhel.origins["koji_profile"]
            .path
            .ends_with("rhel-koji.conf")
    );
    let stream = load(&corpus().join("centos-stream/centos-stream.conf")).unwrap();
    assert_eq!(stream.options["release_version"].as_str(), Some("10"));
    let repos = stream.options["pkgset_repos"].as_dict().unwrap();
    assert_eq!(
        repos[0].1.as_sequence().unwrap()[0].as_str(),
        Some("https://mirror.stream.centos.org/10-stream/BaseOS/x86_64/os/")
    );
    let variants = check_files(&rhel).variants.unwrap();
    let uids: Vec<&str> = variants.iter().map(|v| v.uid.as_str()).collect();
    assert!(uids.contains(&"Server-HighAvailability"), "{uids:?}");
    assert!(uids.contains(&"Server-SAP"), "{uids:?}");
    assert!(uids.contains(&"AppStream-optional"), "{uids:?}");
}

/// One deliberate mistake: in `file` (relative to the corpus) replace `from` by `to`;
/// checking `config` must then report an error in `file` at the line of `at` (the first
/// line containing it after the edit) whose message contains `says`.
struct Breakage {
    config: &'static str,
    file: &'static str,
    from: &'static str,
    to: &'static str,
    at: &'static str,
    says: &'static str,
}

const BREAKAGES: &[Breakage] = &[
    Breakage {
        config: "fedora-rawhide/fedora-rawhide.conf",
        file: "fedora-rawhide/fedora-rawhide.conf",
        from: "greedy_method = 'build'",
        to: "greedy_method = 'bulid'",
        at: "greedy_method",
        says: "did you mean `build`?",
    },
    Breakage {
        config: "fedora-rawhide/fedora-rawhide.conf",
        file: "fedora-rawhide/fedora-rawhide.conf",
        from: "('^Server$', {'x86_64': 'fatal'})",
        to: "('^Server$', {'x86_64': 'strict'})",
        at: "'strict'",
        says: "\"strict\" is not one of \"off\" | \"lenient\" | \"fatal\"",
    },
    Breakage {
        config: "fedora-rawhide/fedora-rawhide.conf",
        file: "fedora-rawhide/fedora-rawhide.conf",
        from: "('^Workstation$', {\n        '*': ['fedora-release-workstation'],",
        to: "('^Workstation[', {\n        '*': ['fedora-release-workstation'],",
        at: "^Workstation[",
        says: "bad variant regex",
    },
    Breakage {
        config: "fedora-rawhide/fedora-rawhide.conf",
        file: "fedora-rawhide/fedora-rawhide.conf",
        from: "'rootfs_size': 3,",
        to: "'rootfs_size': '3G',",
        at: "'rootfs_size'",
        says: "expected int, found str '3G'",
    },
    Breakage {
        config: "fedora-rawhide/fedora-rawhide.conf",
        file: "fedora-rawhide/fedora-rawhide.conf",
        from: "{\n            'name': 'Fedora-KDE-Live',\n            'kickstart': 'fedora-live-kde.ks',",
        to: "{  # KDE\n            'name': 'Fedora-KDE-Live',",
        at: "# KDE",
        says: "missing required key \"kickstart\"",
    },
    Breakage {
        config: "fedora-rawhide/fedora-rawhide.conf",
        file: "fedora-rawhide/fedora-rawhide.conf",
        from: "pkgset_source = 'koji'",
        to: "pkgset_source = 'repos'",
        at: "pkgset_source",
        says: "requires `pkgset_repos`",
    },
    Breakage {
        config: "rhel/rhel-9.conf",
        file: "rhel/rhel-common.conf",
        from: "link_type = 'hardlink'",
        to: "link_type = 'hardlink-or-symlink'",
        at: "link_type",
        says: "not one of",
    },
    Breakage {
        config: "rhel/rhel-9.conf",
        file: "rhel/rhel-koji.conf",
        from: "pkgset_koji_tag = 'rhel-9.4.0-candidate'",
        to: "pkgset_koji_tag = 9.4",
        at: "pkgset_koji_tag",
        says: "expected string or list of strings, found float 9.4",
    },
    Breakage {
        config: "rhel/rhel-9.conf",
        file: "rhel/rhel-9.conf",
        from: "from rhel-koji import koji_profile",
        to: "from rhel-koji import koji_profil",
        at: "from rhel-koji",
        says: "`koji_profil` is not defined",
    },
    Breakage {
        config: "rhel/rhel-9.conf",
        file: "rhel/rhel-9.conf",
        from: "iso_level = [\n    ('^BaseOS$', {'x86_64': 3,",
        to: "iso_level = [\n    ('^BaseOS$', {'x86_64': 5,",
        at: "'x86_64': 5",
        says: "5 is not one of 1 | 2 | 3 | 4",
    },
    Breakage {
        config: "rhel/rhel-9.conf",
        file: "rhel/variants-rhel.xml",
        from: "<ref id=\"SAP\"/>",
        to: "<ref id=\"SAPP\"/>",
        at: "<ref id=\"SAPP\"/>",
        says: "refers to `SAPP`",
    },
    Breakage {
        config: "rhel/rhel-9.conf",
        file: "shared/comps.xml",
        from: "<id>servers</id>",
        to: "<id>servers</id><id>again</id>",
        at: "<id>again</id>",
        says: "",
    },
    Breakage {
        config: "minimal/minimal.conf",
        file: "minimal/minimal.conf",
        from: "gather_method = 'nodeps'",
        to: "",
        at: "# The smallest",
        says: "required option `gather_method` is missing",
    },
    Breakage {
        config: "minimal/minimal.conf",
        file: "minimal/minimal.conf",
        from: "release_short = 'Min'",
        to: "release_short = Min",
        at: "release_short",
        says: "name `Min` is not defined",
    },
    Breakage {
        config: "minimal/minimal.conf",
        file: "minimal/minimal.conf",
        from: "sigkeys = [None]",
        to: "sigkeys = [None",
        at: "sigkeys",
        says: "this bracket is never closed (the file ends inside it)",
    },
    Breakage {
        config: "centos-stream/centos-stream.conf",
        file: "centos-stream/centos-stream.conf",
        from: "'s390x': ['%s/%s-stream/BaseOS/s390x/os/' % (mirror, major)],",
        to: "'s390x': ['%s/%s-stream/BaseOS/s390x/os/' % (mirror,)],",
        at: "'s390x': ['%s",
        says: "not enough arguments",
    },
    Breakage {
        config: "centos-stream/centos-stream.conf",
        file: "centos-stream/stream-base.conf",
        from: "release_short = 'CentOS-Stream'",
        to: "release_short = ['CentOS-Stream']",
        at: "release_short",
        says: "expected string, found list",
    },
    Breakage {
        config: "fedora-iot/fedora-iot.conf",
        file: "fedora-iot/fedora-iot.conf",
        from: "'gpgcheck': False}",
        to: "'gpgcheck': False, 'priority': 1}",
        at: "'priority'",
        says: "unknown key \"priority\"",
    },
    Breakage {
        config: "fedora-iot/fedora-iot.conf",
        file: "fedora-iot/fedora-iot.conf",
        from: "ostree_installer_overwrite = True",
        to: "ostree_installer_overwrite = True\nostree_instaler_overwrite = True",
        at: "ostree_instaler",
        says: "",
    },
];

/// Copies the corpus so edits do not touch the checked-in files.
fn copy_corpus(into: &Path) {
    for entry in std::fs::read_dir(corpus()).unwrap() {
        let dir = entry.unwrap().path();
        let target = into.join(dir.file_name().unwrap());
        std::fs::create_dir_all(&target).unwrap();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            std::fs::copy(&file, target.join(file.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn each_broken_copy_reports_its_error_at_its_line() {
    for (i, case) in BREAKAGES.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        copy_corpus(dir.path());
        let file = dir.path().join(case.file);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.contains(case.from),
            "case {i}: {} lacks {:?}",
            case.file,
            case.from
        );
        let broken = text.replacen(case.from, case.to, 1);
        std::fs::write(&file, &broken).unwrap();
        let line = broken
            .lines()
            .position(|l| l.contains(case.at))
            .expect("marker")
            + 1;
        let found = problems(&dir.path().join(case.config));
        let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_owned());
        let hit = found.iter().any(|(path, at, _, message)| {
            canonical(path) == canonical(&file) && *at == line && message.contains(case.says)
        });
        assert!(
            hit,
            "case {i}: expected {:?} at {}:{line}, found {found:#?}",
            case.says, case.file
        );
        let expect_error = case.at != "ostree_instaler";
        assert_eq!(
            found
                .iter()
                .any(|(.., severity, _)| *severity == Severity::Error),
            expect_error,
            "case {i}: {found:#?}"
        );
    }
}
