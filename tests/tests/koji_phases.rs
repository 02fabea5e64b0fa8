//! The Koji-built deliverable phases end to end against the test hub: Buildinstall,
//! LiveImages, LiveMedia, ImageBuild, OSBS, OSTree and OSTreeInstaller in one compose
//! whose packages come from the hub's tag, every deliverable placed and typed in
//! `images.json` (checked with productmd), the boot tree making the DVD bootable; and a
//! failing task, failable (FINISHED_INCOMPLETE) or not (DOOMED, with the task and its log).

use std::path::Path;
use std::process::Command;

use pungi_tests::koji_hub::{Hub, Run, compose, demo_hub, koji_config, read, write_profile};
use pungi_tests::{describe, python, require_tool};

/// Every Koji phase configured as Pungi configs do: builders reach the compose through
/// `translate_paths`, lorax and rpm-ostree run in runroots of `demo-build`.
const ALL_PHASES: &str = r#"
translate_paths = [("/mnt/koji/compose/", "http://kojipkgs.example.com/compose/")]
runroot_method = "koji"
runroot_tag = "demo-build"
global_target = "demo-1.0-candidate"
live_target = "demo-live-candidate"
global_release = "!RELEASE_FROM_LABEL_DATE_TYPE_RESPIN"
buildinstall_method = "lorax"
buildinstall_skip = [("^Everything$", {"*": True})]
lorax_options = [("^Server$", {"*": {"rootfs_size": 3}})]
image_build = {
    "^Server$": [{
        "image-build": {
            "format": ["qcow2", "raw-xz", "vagrant-libvirt", "docker", "vpc", "tar-gz"],
            "name": "Demo-Cloud",
            "kickstart": "cloud.ks",
            "distro": "Fedora-20",
            "disc_size": 3,
            "arches": ["x86_64"],
        },
    }],
}
live_media = {
    "^Server$": [{
        "name": "Demo-Live",
        "kickstart": "live.ks",
        "subvariant": "Live",
    }],
}
live_images = [
    ("^Server$", {
        "x86_64": [
            {"kickstart": "livecd.ks", "name": "Demo-LiveCD"},
            {"kickstart": "appliance.ks", "name": "Demo-Appliance", "type": "appliance"},
        ],
    }),
]
osbs = {
    "^Server$": {
        "url": "https://src.example.com/git/containers/demo-base.git",
        "target": "demo-container-candidate",
        "git_branch": "main",
        "version": "1.0",
    },
}
ostree = {
    "^Server$": {
        "treefile": "demo-host.yaml",
        "config_url": "https://src.example.com/git/demo-ostree.git",
        "config_branch": "main",
        "ostree_repo": "/mnt/koji/ostree/repo",
        "ostree_ref": "demo/1.0/x86_64/host",
        "version": "!OSTREE_VERSION_FROM_LABEL_DATE_TYPE_RESPIN",
        "arches": ["x86_64"],
    },
}
ostree_installer = [
    ("^Server$", {
        "x86_64": {
            "repo": ["Everything"],
            "installpkgs": ["ostree"],
            "add_template": ["ostree.tmpl"],
            "template_repo": "https://src.example.com/git/lorax-templates.git",
            "template_branch": "main",
        },
    }),
]
"#;

/// Only ImageBuild, for the failure tests.
const IMAGE_BUILD_ONLY: &str = r#"
translate_paths = [("/mnt/koji/compose/", "http://kojipkgs.example.com/compose/")]
image_build = {
    "^Server$": [{
        "image-build": {
            "format": ["qcow2"],
            "name": "Demo-Cloud",
            "kickstart": "cloud.ks",
            "target": "demo-1.0-candidate",
            "arches": ["x86_64"],
        },
    }],
}
"#;

/// A compose of the demo from the hub's tag with `extra` config, against a hub started
/// with `hub_flags` whose topdir is `<home>/topdir`: the demo's packages, and task
/// directories of its own (task ids start at 1 in every hub).
fn koji_compose(extra: &str, hub_flags: &[&str]) -> (Run, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let topdir = home.path().join("topdir");
    std::fs::create_dir_all(&topdir).unwrap();
    std::os::unix::fs::symlink(
        demo_hub().topdir().join("packages"),
        topdir.join("packages"),
    )
    .unwrap();
    let hub = Hub::serve(&demo_hub().state(), &topdir, hub_flags);
    write_profile(home.path(), &hub.server(), &hub.topurl(), "");
    let config = koji_config(home.path(), extra);
    let text = read(&config).replace("skip_phases = [\"buildinstall\"]", "");
    std::fs::write(&config, text).unwrap();
    let run = compose(&config, home.path(), &[]);
    (run, home)
}

/// `images.json` as productmd loads it: (variant, arch, type, format, path, bootable).
fn images(compose: &Path) -> Vec<(String, String, String, String, String, bool)> {
    let script = "import sys, json, productmd.compose\n\
                  c = productmd.compose.Compose(sys.argv[1])\n\
                  print(json.dumps([(v, a, i.type, i.format, i.path, i.bootable)\n\
                      for v, arches in c.images.images.items()\n\
                      for a, imgs in arches.items() for i in imgs]))";
    let output = Command::new(python())
        .args(["-c", script])
        .arg(compose)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", describe(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The files `xorriso` lists in `dir` of the ISO `iso`.
fn iso_ls(iso: &Path, dir: &str) -> String {
    let output = Command::new("xorriso")
        .arg("-indev")
        .arg(iso)
        .args(["-ls", dir])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", describe(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_koji_phase_delivers_into_a_finished_compose() {
    require_tool("xorriso", "xorriso");
    require_tool("qemu-img", "qemu-utils");
    require_tool("ostree", "ostree");
    let (run, home) = koji_compose(ALL_PHASES, &[]);
    assert!(run.output.status.success(), "{}", describe(&run.output));
    let dir = run.compose.unwrap();
    assert_eq!(read(&dir.join("STATUS")), "FINISHED\n");
    let compose = dir.join("compose");

    // Each deliverable listed with Pungi's type and format, its file in place.
    let images = images(&dir);
    let count = |variant: &str, arch: &str, kind: &str, format: &str| {
        images
            .iter()
            .filter(|i| i.0 == variant && i.1 == arch && i.2 == kind && i.3 == format)
            .count()
    };
    for (arch, kind, format, expected) in [
        ("x86_64", "boot", "iso", 1),
        ("aarch64", "boot", "iso", 1),
        ("x86_64", "live", "iso", 2),
        ("aarch64", "live", "iso", 1),
        ("x86_64", "raw-xz", "raw.xz", 2),
        ("x86_64", "qcow2", "qcow2", 1),
        ("x86_64", "vagrant-libvirt", "vagrant-libvirt.box", 1),
        ("x86_64", "docker", "tar.xz", 1),
        ("x86_64", "vpc", "vhd", 1),
        ("x86_64", "tar-gz", "tar.gz", 1),
        ("x86_64", "dvd-ostree", "iso", 1),
        // Createiso's binary DVD and the source DVD productmd lists under each arch.
        ("x86_64", "dvd", "iso", 2),
    ] {
        assert_eq!(
            count("Server", arch, kind, format),
            expected,
            "Server.{arch} {kind} {format}: {images:#?}"
        );
    }
    for image in &images {
        assert!(compose.join(&image.4).is_file(), "{image:?}");
        if ["boot", "live", "dvd-ostree"].contains(&image.2.as_str()) {
            assert!(image.5, "bootable: {image:?}");
        }
    }
    let qcow2 = images.iter().find(|i| i.2 == "qcow2").unwrap();
    let info = Command::new("qemu-img")
        .arg("info")
        .arg(compose.join(&qcow2.4))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&info.stdout).contains("file format: qcow2"));

    // Buildinstall: the netinstall image boots from isolinux, the boot tree is in the
    // os tree, lorax ran with Pungi's command line.
    let boot = compose.join("Server/x86_64/iso/Demo-1.0-20261123.n.0-Server-x86_64-boot.iso");
    assert!(iso_ls(&boot, "/isolinux").contains("isolinux.bin"));
    let os = compose.join("Server/x86_64/os");
    assert!(os.join(".treeinfo").is_file() && os.join("images/pxeboot/vmlinuz").is_file());
    assert!(read(&os.join(".treeinfo")).contains("boot.iso = images/boot.iso"));
    let lorax = read(&dir.join("logs/buildinstall/x86_64/buildinstall-Server-logs/lorax.log"));
    for flag in [
        "--product=Demo",
        "--version=1.0",
        "--variant=Server",
        "--buildarch=x86_64",
        "--volid=Demo-1.0 Server.x86_64",
        "--nomacboot",
        "--noupgrade",
        "--rootfs-size=3",
        "--source=http://kojipkgs.example.com/compose/Demo-1.0-20261123.n.0/compose/Server/x86_64/os",
    ] {
        assert!(lorax.contains(flag), "{flag} in {lorax}");
    }
    // Createiso made the DVD bootable from that tree, without the netinstall image.
    let dvd = compose.join("Server/x86_64/iso/Demo-1.0-20261123.n.0-Server-x86_64-dvd1.iso");
    assert!(iso_ls(&dvd, "/isolinux").contains("isolinux.bin"));
    let on_dvd = iso_ls(&dvd, "/images");
    assert!(
        on_dvd.contains("pxeboot") && !on_dvd.contains("boot.iso"),
        "{on_dvd}"
    );

    // OSBS and OSTree metadata.
    let osbs = json(&compose.join("metadata/osbs.json"));
    let build = &osbs["Server"]["x86_64"][0];
    assert!(
        build["nvr"]
            .as_str()
            .unwrap()
            .starts_with("demo-base-container-1.0-"),
        "{osbs}"
    );
    assert_eq!(build["compose_id"], "Demo-1.0-20261123.n.0");
    assert!(build["koji_task"].is_u64());
    let ostree = json(&compose.join("metadata/ostree.json"));
    let commit = &ostree["Server"]["x86_64"][0];
    assert_eq!(commit["ref"], "demo/1.0/x86_64/host");
    let id = commit["commitid"].as_str().unwrap();
    assert!(
        id.len() == 64 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{ostree}"
    );
    // The commit is real: ostree resolves the ref to it in the repository the task made.
    let task = commit["koji_task"].as_u64().unwrap();
    let repo = home
        .path()
        .join(format!("topdir/work/tasks/{}/{task}/repo", task % 10000));
    let output = Command::new("ostree")
        .arg(format!("--repo={}", repo.display()))
        .args(["rev-parse", "demo/1.0/x86_64/host"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        id,
        "{}",
        describe(&output)
    );

    // Every task method went through the policy and the audit log.
    let audit = read(&dir.join("logs/global/audit.jsonl"));
    for method in [
        "runroot",
        "buildImageOz",
        "livemedia",
        "livecd",
        "appliance",
        "buildContainer",
    ] {
        assert!(
            audit.contains(&format!("\"method\":\"{method}\"")),
            "{method} submitted and audited"
        );
    }
    // Pungi's `live_target` wins over `global_target` for live images, and only there
    // (pungi/phases/live_images.py takes `live_target` first, then the usual hierarchy).
    let submitted = audit
        .lines()
        .filter(|line| line.contains("\"operation\":\"submit-task\""));
    for line in submitted {
        let live = ["livecd", "appliance"]
            .iter()
            .any(|m| line.contains(&format!("\"method\":\"{m}\"")));
        assert_eq!(line.contains("demo-live-candidate"), live, "{line}");
    }
}

#[test]
fn a_failable_image_build_that_fails_leaves_the_compose_incomplete() {
    let extra = format!(
        "{IMAGE_BUILD_ONLY}\nfailable_deliverables = [(\"^Server$\", {{\"*\": [\"image-build\"]}})]\n"
    );
    let (run, _home) = koji_compose(&extra, &["--fail-tasks", "Demo-Cloud"]);
    let dir = run.compose.unwrap();
    assert_eq!(
        read(&dir.join("STATUS")),
        "FINISHED_INCOMPLETE\n",
        "{}",
        describe(&run.output)
    );
    let failed = read(&dir.join("logs/global/deliverables.json"));
    assert!(
        failed.contains("image-build") && failed.contains("task_id"),
        "{failed}"
    );
    assert!(
        !images(&dir).iter().any(|i| i.2 == "qcow2"),
        "no image of the failed task"
    );
}

#[test]
fn an_image_build_that_fails_and_may_not_dooms_the_compose_naming_task_and_log() {
    let (run, _home) = koji_compose(IMAGE_BUILD_ONLY, &["--fail-tasks", "Demo-Cloud"]);
    let dir = run.compose.unwrap();
    assert_eq!(read(&dir.join("STATUS")), "DOOMED\n");
    let output = describe(&run.output);
    assert!(
        output.contains("koji task") && output.contains("(buildImageOz) failed"),
        "{output}"
    );
    let log = output
        .split("logs: ")
        .nth(1)
        .and_then(|rest| rest.split(", ").next())
        .unwrap_or_else(|| panic!("no log path in {output}"));
    // The phase names it at its own /logs, which is logs/<phase>/ in the compose.
    let relative = log
        .strip_prefix("/logs/")
        .unwrap_or_else(|| panic!("{log} is not under /logs"));
    assert!(
        read(&dir.join("logs/image_build").join(relative)).contains("buildImageOz task"),
        "the task's log at {log}"
    );
}

#[test]
fn a_bad_image_build_block_stops_the_compose_naming_the_block_and_the_value() {
    let (run, _home) = koji_compose(&IMAGE_BUILD_ONLY.replace("qcow2", "floppy"), &[]);
    let dir = run.compose.unwrap();
    assert_eq!(read(&dir.join("STATUS")), "DOOMED\n");
    let output = describe(&run.output);
    assert!(
        output.contains("image_build of Server")
            && output.contains("unknown image-build format \"floppy\""),
        "{output}"
    );
    let audit = read(&dir.join("logs/global/audit.jsonl"));
    assert!(!audit.contains("\"submit-task\""), "nothing submitted");
}
