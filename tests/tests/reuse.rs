//! Reuse from `--old-composes` (`gather_allow_reuse`, `createrepo_allow_reuse`): a
//! compose of unchanged inputs takes the newest finished old compose's package selection
//! and repodata (checked, copied, logged) instead of computing them again, and a change
//! to what shapes the repodata stops that reuse.

use std::path::{Path, PathBuf};

use pungi_tests::{compose, write_demo};

/// Every file of every `repodata/` under `compose/`, relative path to bytes.
fn repodata(compose: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![compose.join("compose")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.parent().is_some_and(|p| p.ends_with("repodata")) {
                let relative = path.strip_prefix(compose).unwrap().to_path_buf();
                files.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

fn createrepo_log(compose: &Path) -> String {
    std::fs::read_to_string(compose.join("logs/global/createrepo.global.log")).unwrap()
}

#[test]
fn unchanged_inputs_reuse_the_old_selection_and_repodata_and_a_changed_option_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    write_demo(&input).unwrap();
    let config = input.join("demo.conf");
    let text = std::fs::read_to_string(&config).unwrap()
        + "gather_allow_reuse = True\ncreaterepo_allow_reuse = True\n";
    std::fs::write(&config, &text).unwrap();
    let (target, cache) = (dir.path().join("composes"), dir.path().join("cache"));
    let target_arg = target.to_str().unwrap().to_owned();
    let run = |config: &Path, extra: &[&str]| {
        let mut args = vec!["--just-phase", "gather", "--just-phase", "createrepo"];
        args.extend_from_slice(extra);
        compose(config, &target, &cache, &args)
    };

    let first = run(&config, &[]);
    let first_log = createrepo_log(&first);
    assert!(!first_log.contains("reused"), "{first_log}");

    let second = run(&config, &["--old-composes", &target_arg]);
    let gather_log = std::fs::read_to_string(second.join("logs/global/gather.global.log")).unwrap();
    assert!(
        gather_log.contains("inputs unchanged since")
            && gather_log.contains("reusing its selection"),
        "{gather_log}"
    );
    for variant in ["Server", "Everything"] {
        let reasons = |compose: &Path| {
            std::fs::read(compose.join(format!("work/x86_64/gather/{variant}.x86_64.reasons.json")))
                .unwrap()
        };
        assert_eq!(
            reasons(&first),
            reasons(&second),
            "{variant}: the old selection"
        );
    }
    assert_eq!(
        std::fs::read(first.join("compose/metadata/rpms.json"))
            .unwrap()
            .len(),
        std::fs::read(second.join("compose/metadata/rpms.json"))
            .unwrap()
            .len(),
        "the same packages in rpms.json (only the compose id differs)"
    );
    let log = createrepo_log(&second);
    let trees = repodata(&first)
        .iter()
        .filter(|(path, _)| path.ends_with("repomd.xml"))
        .count();
    let old_id = first.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(
        log.matches(&format!("repodata reused from {old_id} (inputs unchanged)"))
            .count(),
        trees,
        "every tree reused: {log}"
    );
    assert_eq!(repodata(&first), repodata(&second), "the very same bytes");

    let changed = input.join("sha512.conf");
    std::fs::write(
        &changed,
        text.replace(
            "createrepo_checksum = \"sha256\"",
            "createrepo_checksum = \"sha512\"",
        ),
    )
    .unwrap();
    let third = run(&changed, &["--old-composes", &target_arg]);
    let gather_log = std::fs::read_to_string(third.join("logs/global/gather.global.log")).unwrap();
    assert!(
        gather_log.contains("reusing its selection"),
        "createrepo options do not touch gather: {gather_log}"
    );
    let log = createrepo_log(&third);
    assert!(!log.contains("reused from"), "{log}");
    let repomd =
        std::fs::read_to_string(third.join("compose/Server/x86_64/os/repodata/repomd.xml"))
            .unwrap();
    assert!(repomd.contains("type=\"sha512\""), "{repomd}");
}
