//! The media phases end to end: the demo compose's ISO images checked with the tools
//! release engineers use (xorriso, checkisomd5, dnf, productmd, sha256sum), a split set,
//! bootable media from a synthetic boot tree, a corrupted image the Test phase reports
//! without failing the compose, and bad createiso options.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pungi_tests::{
    compose, describe, dnf_install, phases_with_hostile, python, require_tool, run_pungi,
    write_demo,
};

struct Composed {
    _dir: tempfile::TempDir,
    compose: PathBuf,
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// A demo compose with `extra` appended to its config.
fn compose_demo(extra: &str, prepare: impl FnOnce(&Path), args: &[&str]) -> Composed {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    write_demo(&input).unwrap();
    prepare(&input);
    let config = input.join("demo.conf");
    let text = read(&config) + extra;
    std::fs::write(&config, text).unwrap();
    let compose = compose(
        &config,
        &dir.path().join("composes"),
        &dir.path().join("cache"),
        args,
    );
    Composed { _dir: dir, compose }
}

fn demo() -> &'static Composed {
    static DEMO: OnceLock<Composed> = OnceLock::new();
    DEMO.get_or_init(|| compose_demo("", |_| {}, &[]))
}

/// Only Server.x86_64 gets an image: the split and boot cases stay fast.
const ONLY_SERVER_X86_64: &str = r#"
createiso_skip = [
    ("^Everything$", {"*": True}),
    ("^Server-optional$", {"*": True}),
    ("^Server$", {"src": True, "aarch64": True}),
]
"#;

/// `(image record, path)` for every image of `images.json`.
/// Every image of images.json once (source images are listed under each binary arch, as
/// productmd wants), in path order.
fn images(compose: &Path) -> Vec<(serde_json::Value, PathBuf)> {
    let manifest = json(&compose.join("compose/metadata/images.json"));
    let mut out = std::collections::BTreeMap::new();
    for arches in manifest["payload"]["images"].as_object().unwrap().values() {
        for list in arches.as_object().unwrap().values() {
            for image in list.as_array().unwrap() {
                let path = compose
                    .join("compose")
                    .join(image["path"].as_str().unwrap());
                out.insert(path.clone(), (image.clone(), path));
            }
        }
    }
    out.into_values().collect()
}

/// The files xorriso finds on an image, relative to its root.
fn files_on(iso: &Path) -> BTreeSet<String> {
    let output = Command::new("xorriso")
        .arg("-indev")
        .arg(iso)
        .args(["-find", "/", "-type", "f"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", describe(&output));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| l.trim_matches('\'').trim_start_matches('/').to_owned())
        .collect()
}

/// The packages of a tree (`Packages/<file>.rpm`, or `Packages/<l>/<file>.rpm` with
/// `hashed_directories`), relative to it.
fn packages_of(tree: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut dirs = vec![tree.join("Packages")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let relative = path.strip_prefix(tree).unwrap();
                out.insert(relative.to_string_lossy().into_owned());
            }
        }
    }
    out
}

/// The tree an image was made from.
fn tree_of(compose: &Path, image: &serde_json::Value) -> PathBuf {
    let path = image["path"].as_str().unwrap();
    let variant = path.split('/').next().unwrap();
    let tree = match image["arch"].as_str().unwrap() {
        "src" => format!("{variant}/source/tree"),
        arch => format!("{variant}/{arch}/os"),
    };
    compose.join("compose").join(tree)
}

fn extract(iso: &Path, into: &Path) {
    let output = Command::new("xorriso")
        .args(["-osirrox", "on", "-indev"])
        .arg(iso)
        .args(["-extract", "/"])
        .arg(into)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", describe(&output));
}

#[test]
fn every_image_holds_its_trees_packages_and_verifies() {
    require_tool("xorriso", "xorriso");
    require_tool("checkisomd5", "isomd5sum");
    let demo = demo();
    let all = images(&demo.compose);
    // Three variants with ISOs (Server, Server-optional, Everything), each on two arches
    // and in source.
    assert_eq!(all.len(), 9, "{all:?}");
    for (image, iso) in &all {
        assert_eq!(image["format"], "iso");
        assert_eq!(image["disc_count"], 1);
        assert!(image["volume_id"].as_str().unwrap().len() <= 32);
        assert_eq!(
            image["size"].as_u64().unwrap(),
            std::fs::metadata(iso).unwrap().len()
        );
        let on_iso = files_on(iso);
        let tree = tree_of(&demo.compose, image);
        for package in packages_of(&tree) {
            assert!(
                on_iso.contains(&package),
                "{}: {package} missing",
                iso.display()
            );
        }
        assert!(on_iso.contains("repodata/repomd.xml"), "{}", iso.display());
        let check = Command::new("checkisomd5").arg(iso).output().unwrap();
        assert!(check.status.success(), "{}", describe(&check));
    }
    let server = all
        .iter()
        .find(|(i, _)| {
            i["path"] == "Server/x86_64/iso/Demo-1.0-20261123.n.0-Server-x86_64-dvd1.iso"
        })
        .expect("the Server x86_64 DVD, named as Pungi names it");
    assert_eq!(server.0["volume_id"], "Demo-1.0 Server.x86_64");
    assert!(
        files_on(&server.1).contains("README.demo"),
        "extra files ship on the disc"
    );
    let log = read(&demo.compose.join("logs/test/test-images.log"));
    assert_eq!(
        log.lines().filter(|l| l.ends_with(": ok")).count(),
        9,
        "{log}"
    );
}

#[test]
fn dnf_installs_from_the_extracted_server_image() {
    require_tool("dnf", "dnf");
    let demo = demo();
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    extract(
        &demo
            .compose
            .join("compose/Server/x86_64/iso/Demo-1.0-20261123.n.0-Server-x86_64-dvd1.iso"),
        &media,
    );
    dnf_install(
        &media,
        dir.path(),
        &["httpd", "vim-enhanced"],
        &["httpd", "bash"],
    );
}

#[test]
fn images_json_loads_in_productmd_and_checksum_files_match_sha256sum() {
    require_tool("sha256sum", "coreutils");
    let demo = demo();
    let images_json = demo.compose.join("compose/metadata/images.json");
    let script = "import sys, productmd.images as m\n\
                  im = m.Images(); im.load(sys.argv[1])\n\
                  n = sum(len(l) for a in im.images.values() for l in a.values())\n\
                  i = sorted(im.images['Server']['x86_64'], key=lambda i: i.path)[-1]\n\
                  print(n, i.type, i.format, i.bootable, i.implant_md5 is not None, sorted(i.checksums))";
    let output = Command::new(python())
        .args(["-c", script])
        .arg(&images_json)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "12 dvd iso False True ['sha256']"
    );
    let extra = demo.compose.join("compose/metadata/extra_files.json");
    let script = "import sys, productmd.extra_files as m\nx = m.ExtraFiles(); x.load(sys.argv[1])\nprint(sorted(x.extra_files['Server']))";
    let output = Command::new(python())
        .args(["-c", script])
        .arg(&extra)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", describe(&output));
    // The config gives extra files for "*", which in Pungi never covers the source tree.
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "['aarch64', 'x86_64']"
    );
    for (_, iso) in images(&demo.compose) {
        let dir = iso.parent().unwrap();
        let check = Command::new("sha256sum")
            .args(["-c", "CHECKSUM"])
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(check.status.success(), "{}", describe(&check));
        assert!(read(&dir.join("CHECKSUM")).starts_with("SHA256 ("));
    }
}

#[test]
fn a_small_iso_size_splits_the_packages_over_media_that_each_boot() {
    require_tool("xorriso", "xorriso");
    require_tool("isohybrid", "syslinux-utils");
    let isolinux = Path::new("/usr/lib/ISOLINUX/isolinux.bin");
    let ldlinux = Path::new("/usr/lib/syslinux/modules/bios/ldlinux.c32");
    assert!(
        isolinux.is_file() && ldlinux.is_file(),
        "the boot tree needs apt-get install isolinux syslinux-common"
    );
    let extra = format!(
        "{ONLY_SERVER_X86_64}\niso_size = \"400k\"\nsplit_iso_reserve = 0\n\
         extra_files = [(\"^Server$\", {{\"x86_64\": [{{\"scm\": \"file\", \"repo\": None, \"dir\": \"boot\"}}]}})]\n"
    );
    let composed = compose_demo(
        &extra,
        |input| {
            let boot = input.join("boot/isolinux");
            std::fs::create_dir_all(&boot).unwrap();
            std::fs::copy(isolinux, boot.join("isolinux.bin")).unwrap();
            std::fs::copy(ldlinux, boot.join("ldlinux.c32")).unwrap();
            std::fs::write(
                boot.join("isolinux.cfg"),
                "default demo\nlabel demo\n  kernel vmlinuz\n",
            )
            .unwrap();
        },
        &[],
    );
    let all: Vec<_> = images(&composed.compose)
        .into_iter()
        .filter(|(image, _)| image["arch"] == "x86_64")
        .collect();
    assert!(all.len() > 1, "a split set: {all:?}");
    let mut union = BTreeSet::new();
    let scratch = tempfile::tempdir().unwrap();
    for (n, (image, iso)) in all.iter().enumerate() {
        assert_eq!(image["disc_count"].as_u64().unwrap(), all.len() as u64);
        assert_eq!(image["disc_number"].as_u64().unwrap(), n as u64 + 1);
        assert_eq!(image["bootable"], true, "{image}");
        let on_iso = files_on(iso);
        assert!(
            on_iso.contains("isolinux/isolinux.bin"),
            "boot files on every disc"
        );
        let packages: BTreeSet<String> = on_iso
            .iter()
            .filter(|f| f.starts_with("Packages/"))
            .cloned()
            .collect();
        // Each disc's repodata lists exactly its own packages.
        let media = scratch.path().join(format!("disc{n}"));
        extract(iso, &media);
        let output = Command::new("dnf")
            .args([
                "-q",
                "--setopt=reposdir=/dev/null",
                "--forcearch=x86_64",
                "--repo=disc",
            ])
            .arg(format!("--repofrompath=disc,file://{}", media.display()))
            .arg(format!(
                "--setopt=cachedir={}",
                scratch.path().join("cache").display()
            ))
            .args(["repoquery", "--location"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", describe(&output));
        let listed: BTreeSet<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| {
                l.split_once(&format!("disc{n}/"))
                    .map(|(_, p)| p.to_owned())
            })
            .collect();
        assert_eq!(listed, packages, "disc {}", n + 1);
        let el_torito = Command::new("xorriso")
            .arg("-indev")
            .arg(iso)
            .args(["-report_el_torito", "plain"])
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&el_torito.stdout);
        assert!(report.contains("isolinux/isolinux.bin"), "{report}");
        union.extend(packages);
    }
    let tree = composed.compose.join("compose/Server/x86_64/os");
    assert_eq!(
        union,
        packages_of(&tree),
        "the discs together hold every package"
    );
    let log = read(&composed.compose.join("logs/test/test-images.log"));
    assert!(!log.contains("FAILED"), "{log}");
}

#[test]
fn a_corrupted_image_is_reported_by_the_test_phase_without_failing_the_compose() {
    // ImageChecksum replaced by the hostile test phase, told to overwrite the image.
    let scratch = tempfile::tempdir().unwrap();
    let phases = phases_with_hostile(scratch.path(), "image_checksum");
    let extra = format!(
        "{ONLY_SERVER_X86_64}\nhostile_action = \"write-other-dir\"\n\
         hostile_arg = \"/compose/Server/x86_64/iso/Demo-1.0-20261123.n.0-Server-x86_64-dvd1.iso\"\n"
    );
    let phases_arg = phases.to_str().unwrap().to_owned();
    let composed = compose_demo(&extra, |_| {}, &["--phases-dir", &phases_arg]);
    assert_eq!(read(&composed.compose.join("STATUS")), "FINISHED\n");
    let log = read(&composed.compose.join("logs/test/test-images.log"));
    assert!(log.contains("FAILED"), "{log}");
    assert!(
        log.contains("not an ISO 9660 primary volume descriptor") || log.contains("shorter"),
        "{log}"
    );
    assert!(log.contains("size is"), "{log}");
}

#[test]
fn bad_createiso_options_are_clear_errors() {
    let cases = [
        ("iso_size = \"big\"\n", "iso_size"),
        (
            "iso_size = \"1M\"\nsplit_iso_reserve = \"2M\"\n",
            "must be larger than split_iso_reserve",
        ),
        ("create_jigdo = True\n", "create_jigdo"),
        (
            "image_volid_formats = [\"{release_short}-{version}-with-a-far-too-long-name {arch}\"]\n",
            "32 characters",
        ),
        (
            "image_volid_formats = [\"{nope}\"]\n",
            "unknown format element `nope`",
        ),
    ];
    for (option, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("input");
        write_demo(&input).unwrap();
        let config = input.join("demo.conf");
        std::fs::write(&config, read(&config) + ONLY_SERVER_X86_64 + option).unwrap();
        let output = run_pungi(
            &[
                "compose",
                "--config",
                config.to_str().unwrap(),
                "--target-dir",
                dir.path().join("composes").to_str().unwrap(),
                "--nightly",
                "--skip-phase",
                "test",
            ],
            &dir.path().join("cache"),
        );
        let text = describe(&output);
        assert!(!output.status.success(), "{option}: {text}");
        assert!(
            text.contains("createiso") && text.contains(expected),
            "{option}: {text}"
        );
    }
}

/// What `debugfs` prints for `request` on an ext2 image.
fn debugfs(image: &Path, request: &str) -> String {
    let output = Command::new("/usr/sbin/debugfs")
        .args(["-R", request])
        .arg(image)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", describe(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn product_img_carries_buildstamp_install_class_and_translations_onto_the_dvd() {
    require_tool("msgfmt", "gettext");
    require_tool("xorriso", "xorriso");
    let extra = format!(
        "{ONLY_SERVER_X86_64}\nproductimg = True\n\
         productimg_install_class = {{\"scm\": \"file\", \"repo\": None, \"file\": \"product/demo.py\"}}\n\
         productimg_po_files = {{\"scm\": \"file\", \"repo\": None, \"dir\": \"product/po\"}}\n"
    );
    let composed = compose_demo(
        &extra,
        |input| {
            let po = input.join("product/po");
            std::fs::create_dir_all(&po).unwrap();
            std::fs::write(
                input.join("product/demo.py"),
                "from pyanaconda.installclass import BaseInstallClass\n",
            )
            .unwrap();
            std::fs::write(
                po.join("de.po"),
                "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n\
                 msgid \"Install Demo\"\nmsgstr \"Demo installieren\"\n",
            )
            .unwrap();
        },
        &[],
    );
    let image = composed
        .compose
        .join("compose/Server/x86_64/os/images/product.img");
    let buildstamp = debugfs(&image, "cat /.buildstamp");
    assert!(buildstamp.contains("Product=Demo"), "{buildstamp}");
    assert!(buildstamp.contains("Variant=Server"), "{buildstamp}");
    assert!(buildstamp.contains("IsFinal=False"), "{buildstamp}");
    let classes = debugfs(&image, "ls /run/install/product/pyanaconda/installclasses");
    assert!(classes.contains("demo.py"), "{classes}");
    let catalog = debugfs(
        &image,
        "cat /run/install/product/locale/de/LC_MESSAGES/anaconda.mo",
    );
    assert!(catalog.contains("Demo installieren"), "a compiled catalog");
    let (_, dvd) = images(&composed.compose)
        .into_iter()
        .find(|(image, _)| image["arch"] == "x86_64")
        .expect("a Server DVD");
    assert!(files_on(&dvd).contains("images/product.img"));
}

#[test]
fn a_broken_translation_names_the_language_and_msgfmt_error() {
    require_tool("msgfmt", "gettext");
    let extra = format!(
        "{ONLY_SERVER_X86_64}\nproductimg = True\n\
         productimg_po_files = {{\"scm\": \"file\", \"repo\": None, \"dir\": \"po\"}}\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    write_demo(&input).unwrap();
    std::fs::create_dir_all(input.join("po")).unwrap();
    std::fs::write(
        input.join("po/fr.po"),
        "msgid \"unterminated\nmsgstr \"\"\n",
    )
    .unwrap();
    let config = input.join("demo.conf");
    std::fs::write(&config, read(&config) + &extra).unwrap();
    let output = run_pungi(
        &[
            "compose",
            "--config",
            config.to_str().unwrap(),
            "--target-dir",
            dir.path().join("composes").to_str().unwrap(),
            "--nightly",
        ],
        &dir.path().join("cache"),
    );
    let text = describe(&output);
    assert!(!output.status.success(), "{text}");
    assert!(
        text.contains("msgfmt") && text.contains("fr.po") && text.contains("exited with"),
        "{text}"
    );
}
