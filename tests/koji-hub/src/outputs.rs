//! What a finished task leaves in its directory: small but real files of the kind the
//! real builders make, made with the real tools (xorriso, qemu-img, xz, tar,
//! mksquashfs, ostree): a lorax boot tree with a bootable `boot.iso` and `.treeinfo`, disk
//! images in every `image-build` format, live ISOs, appliances, a real OSTree commit,
//! container builds. A tool that is missing fails the task, naming it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use pungi_host::capabilities::koji::xmlrpc::Value;

/// Where a task writes, and what it was asked.
pub struct Request<'a> {
    pub id: i64,
    pub method: &'a str,
    pub params: &'a [Value],
    pub options: &'a BTreeMap<String, Value>,
    /// The arches it builds for.
    pub arches: &'a [String],
    pub dir: &'a Path,
}

type Result<T> = std::result::Result<T, String>;

/// Writes the task's files (its `<method>.log` first); returns paths relative to `dir`.
pub fn produce(r: &Request) -> Result<Vec<String>> {
    let mut files = vec![format!("{}.log", r.method)];
    write(
        &r.dir.join(&files[0]),
        format!(
            "{} task {} on {}\nrequest: {:?}\nexit status 0\n",
            r.method,
            r.id,
            r.arches.join(" "),
            r.params
        )
        .as_bytes(),
    )?;
    let name = r.params.first().and_then(Value::as_str).unwrap_or("image");
    let version = r.params.get(1).and_then(Value::as_str).unwrap_or("1");
    let release = r
        .options
        .get("release")
        .and_then(Value::as_str)
        .map_or_else(|| r.id.to_string(), str::to_owned);
    let nvr = format!("{name}-{version}-{release}");
    match r.method {
        "runroot" => {
            let command = r.params.get(2).and_then(Value::as_str).unwrap_or_default();
            files.extend(runroot(r, command)?);
        }
        "buildImageOz" | "createImage" => {
            let formats: Vec<String> = match r.options.get("format") {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => vec!["qcow2".to_owned()],
            };
            for arch in r.arches {
                for format in &formats {
                    files.push(disk_image(r.dir, &format!("{nvr}.{arch}"), format)?);
                }
            }
        }
        "livecd" | "livemedia" => {
            for arch in r.arches {
                let file = format!("{nvr}.{arch}.iso");
                iso(
                    &r.dir.join(&file),
                    &format!("{name}-{arch}"),
                    &live_tree(r.dir, arch)?,
                    false,
                )?;
                files.push(file);
            }
        }
        "appliance" => {
            for arch in r.arches {
                files.push(disk_image(r.dir, &format!("{nvr}-sda.{arch}"), "raw-xz")?);
            }
        }
        _ => {}
    }
    Ok(files)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("creating {}: {e}", parent.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Runs a tool; a missing one or a failure is the task's error.
fn tool(program: &str, args: &[&str], cwd: &Path) -> Result<()> {
    tool_output(program, args, cwd).map(drop)
}

/// Runs a tool and returns its standard output.
fn tool_output(program: &str, args: &[&str], cwd: &Path) -> Result<String> {
    let output = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .map_err(|e| format!("running {program} (is it installed?): {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Splits a `sh` command line into words (single quotes and `'\''` as the phases
/// write them, `&&` as a word of its own).
pub fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let (mut quoted, mut escaped) = (false, false);
    for c in command.chars() {
        match c {
            c if escaped => {
                escaped = false;
                word.get_or_insert_with(String::new).push(c);
            }
            '\\' if !quoted => escaped = true,
            '\'' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => words.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// The value of `--name=value` among `words`.
fn flag<'a>(words: &'a [String], name: &str) -> Option<&'a str> {
    words
        .iter()
        .find_map(|w| w.strip_prefix(&format!("--{name}=")))
}

/// A runroot command: lorax makes a boot tree, pungi-make-ostree a commit; the
/// `upload_logs` directories come back as outputs.
fn runroot(r: &Request, command: &str) -> Result<Vec<String>> {
    let words = words(command);
    let arch = r.arches.first().map_or("noarch", String::as_str);
    let mut files = Vec::new();
    if let Some(at) = words.iter().position(|w| w == "lorax") {
        let lorax: Vec<String> = words[at..]
            .iter()
            .take_while(|w| *w != "&&")
            .cloned()
            .collect();
        files.extend(lorax_tree(r.dir, &lorax, arch)?);
    }
    if let Some(at) = words.iter().position(|w| w == "pungi-make-ostree") {
        files.extend(ostree_commit(r.dir, &words[at..])?);
    }
    Ok(files)
}

/// What `pungi-make-ostree tree` leaves: a real commit (made with Debian's `ostree`) of
/// a small tree on the ref, in the task's `repo/` (standing in for `--repo`, which is on
/// the builders' storage), its id in `<log-dir>/commitid.log`.
fn ostree_commit(dir: &Path, make: &[String]) -> Result<Vec<String>> {
    let log_dir = flag(make, "log-dir").unwrap_or("logs");
    let reference = flag(make, "ostree-ref").unwrap_or("demo/stable");
    let tree = dir.join("ostree-tree");
    write(
        &tree.join("usr/lib/os-release"),
        b"NAME=Demo\nVARIANT_ID=ostree\n",
    )?;
    tool("ostree", &["init", "--repo=repo", "--mode=archive"], dir)?;
    let mut commit = vec![
        "commit".to_owned(),
        "--repo=repo".to_owned(),
        format!("--branch={reference}"),
        format!(
            "--subject=pungi-make-ostree {}",
            flag(make, "treefile").unwrap_or_default()
        ),
        "--tree=dir=ostree-tree".to_owned(),
    ];
    if let Some(version) = flag(make, "version") {
        commit.push(format!("--add-metadata-string=version={version}"));
    }
    let args: Vec<&str> = commit.iter().map(String::as_str).collect();
    let id = tool_output("ostree", &args, dir)?.trim().to_owned();
    write(&dir.join(format!("{log_dir}/commitid.log")), id.as_bytes())?;
    write(
        &dir.join(format!("{log_dir}/create-ostree-repo.log")),
        format!(
            "rpm-ostree compose tree --repo={} {}\nWrote commit: {id}\nref: {reference}\n",
            flag(make, "repo").unwrap_or_default(),
            flag(make, "treefile").unwrap_or_default()
        )
        .as_bytes(),
    )?;
    Ok(vec![
        format!("{log_dir}/commitid.log"),
        format!("{log_dir}/create-ostree-repo.log"),
    ])
}

/// A lorax boot tree in the command's output directory: kernel and initrd, the stage2
/// image, isolinux (BIOS boot), `.treeinfo` and a bootable `images/boot.iso`.
fn lorax_tree(dir: &Path, lorax: &[String], arch: &str) -> Result<Vec<String>> {
    let output = lorax
        .last()
        .filter(|w| !w.starts_with("--"))
        .ok_or("lorax: no output directory")?;
    let volid = flag(lorax, "volid").ok_or("lorax: no --volid")?;
    let product = flag(lorax, "product").unwrap_or("Product");
    let version = flag(lorax, "version").unwrap_or("1");
    let variant = flag(lorax, "variant").unwrap_or("");
    let root = dir.join(output);
    let mut files = vec![
        ("images/pxeboot/vmlinuz".to_owned(), b"kernel\n".to_vec()),
        ("images/pxeboot/initrd.img".to_owned(), b"initrd\n".to_vec()),
        ("images/install.img".to_owned(), b"stage2\n".to_vec()),
        ("isolinux/vmlinuz".to_owned(), b"kernel\n".to_vec()),
        ("isolinux/initrd.img".to_owned(), b"initrd\n".to_vec()),
        (
            "isolinux/isolinux.cfg".to_owned(),
            format!("default linux\nlabel linux\n  kernel vmlinuz\n  append initrd=initrd.img inst.stage2=hd:LABEL={}\n", volid.replace(' ', "\\x20")).into_bytes(),
        ),
        (
            ".treeinfo".to_owned(),
            format!(
                "[header]\ntype = productmd.treeinfo\nversion = 1.2\n\n[release]\nname = {product}\nshort = {product}\nversion = {version}\n\n[tree]\narch = {arch}\nbuild_timestamp = 1790000000\nplatforms = {arch}\nvariants = {variant}\n\n[variant-{variant}]\nid = {variant}\nname = {variant}\ntype = variant\nuid = {variant}\n\n[images-{arch}]\nboot.iso = images/boot.iso\ninitrd = images/pxeboot/initrd.img\nkernel = images/pxeboot/vmlinuz\n\n[stage2]\nmainimage = images/install.img\n"
            )
            .into_bytes(),
        ),
    ];
    let bios = matches!(arch, "x86_64" | "i386" | "i686");
    if bios {
        for (file, from) in [
            ("isolinux/isolinux.bin", "/usr/lib/ISOLINUX/isolinux.bin"),
            (
                "isolinux/ldlinux.c32",
                "/usr/lib/syslinux/modules/bios/ldlinux.c32",
            ),
        ] {
            let bytes = std::fs::read(from).map_err(|e| {
                format!("lorax: {from} (apt-get install isolinux syslinux-common): {e}")
            })?;
            files.push((file.to_owned(), bytes));
        }
    }
    for (file, bytes) in &files {
        write(&root.join(file), bytes)?;
    }
    iso(&root.join("images/boot.iso"), volid, &root, bios)?;
    write(
        &dir.join("logs/lorax.log"),
        format!("lorax {}\n", lorax.join(" ")).as_bytes(),
    )?;
    let mut names: Vec<String> = files
        .into_iter()
        .map(|(f, _)| format!("{output}/{f}"))
        .collect();
    names.push(format!("{output}/images/boot.iso"));
    names.push("logs/lorax.log".to_owned());
    Ok(names)
}

/// A directory with what a live ISO holds.
fn live_tree(dir: &Path, arch: &str) -> Result<PathBuf> {
    let tree = dir.join(format!("live-{arch}"));
    write(&tree.join("LiveOS/squashfs.img"), b"live root\n")?;
    write(&tree.join("isolinux/isolinux.cfg"), b"default live\n")?;
    Ok(tree)
}

/// An ISO 9660 image of `tree` with volume id `volid`, El Torito bootable from
/// `isolinux/isolinux.bin` when `bios`.
fn iso(path: &Path, volid: &str, tree: &Path, bios: bool) -> Result<()> {
    let out = path.to_string_lossy().into_owned();
    let source = tree.to_string_lossy().into_owned();
    let mut args = vec![
        "-as", "mkisofs", "-quiet", "-R", "-J", "-V", volid, "-o", &out,
    ];
    if bios {
        args.extend([
            "-b",
            "isolinux/isolinux.bin",
            "-c",
            "isolinux/boot.cat",
            "-no-emul-boot",
            "-boot-load-size",
            "4",
            "-boot-info-table",
        ]);
    }
    args.extend(["-m", "boot.iso", &source]);
    tool("xorriso", &args, tree)
}

/// One `image-build` output: `<stem>.<extension>` in `format`.
fn disk_image(dir: &Path, stem: &str, format: &str) -> Result<String> {
    let qemu =
        |fmt: &str, file: &str| tool("qemu-img", &["create", "-q", "-f", fmt, file, "16M"], dir);
    let tar = |file: &str, flags: &str, members: &[&str]| {
        let mut args = vec![flags, file];
        args.extend(members);
        tool("tar", &args, dir)
    };
    let raw = |file: &str| {
        std::fs::File::create(dir.join(file))
            .and_then(|f| f.set_len(1 << 20))
            .map_err(|e| format!("writing {file}: {e}"))
    };
    let file = match format {
        "qcow2" | "qcow" | "vmdk" | "vdi" => {
            let file = format!("{stem}.{format}");
            qemu(format, &file)?;
            file
        }
        "vpc" => {
            let file = format!("{stem}.vhd");
            qemu("vpc", &file)?;
            file
        }
        "vhd-compressed" => {
            let vhd = format!("{stem}.vhd");
            qemu("vpc", &vhd)?;
            tool("xz", &["-0", "-f", &vhd], dir)?;
            format!("{vhd}.xz")
        }
        "raw" => {
            let file = format!("{stem}.raw");
            raw(&file)?;
            file
        }
        "raw-xz" => {
            let file = format!("{stem}.raw");
            raw(&file)?;
            tool("xz", &["-0", "-f", &file], dir)?;
            format!("{file}.xz")
        }
        "iso" => {
            let file = format!("{stem}.iso");
            iso(&dir.join(&file), "IMAGE", &live_tree(dir, stem)?, false)?;
            file
        }
        "liveimg-squashfs" => {
            let file = format!("{stem}.liveimg.squashfs");
            let tree = live_tree(dir, stem)?;
            tool(
                "mksquashfs",
                &[&tree.to_string_lossy(), &file, "-quiet", "-noappend"],
                dir,
            )?;
            file
        }
        "docker" | "tar-gz" => {
            let (ext, flags) = if format == "docker" {
                ("tar.xz", "-cJf")
            } else {
                ("tar.gz", "-czf")
            };
            let rootfs = format!("{stem}-rootfs");
            write(&dir.join(&rootfs).join("etc/os-release"), b"NAME=Demo\n")?;
            let file = format!("{stem}.{ext}");
            tar(&file, flags, &["-C", &rootfs, "."])?;
            file
        }
        vagrant if vagrant.starts_with("vagrant-") => {
            let provider = vagrant.trim_start_matches("vagrant-");
            let box_dir = format!("{stem}-{vagrant}");
            write(
                &dir.join(&box_dir).join("metadata.json"),
                format!("{{\"provider\": \"{provider}\"}}\n").as_bytes(),
            )?;
            write(
                &dir.join(&box_dir).join("Vagrantfile"),
                b"Vagrant.configure(\"2\") do |config|\nend\n",
            )?;
            qemu("qcow2", &format!("{box_dir}/box.img"))?;
            let file = format!("{stem}.{vagrant}.box");
            tar(&file, "-czf", &["-C", &box_dir, "."])?;
            file
        }
        ova if ova.ends_with("-ova") => {
            let ova_dir = format!("{stem}-{ova}");
            write(&dir.join(&ova_dir).join("disk.ovf"), b"<Envelope/>\n")?;
            qemu("vmdk", &format!("{ova_dir}/disk.vmdk"))?;
            let file = format!("{stem}.{}.ova", ova.trim_end_matches("-ova"));
            tar(&file, "-cf", &["-C", &ova_dir, "disk.ovf", "disk.vmdk"])?;
            file
        }
        other => return Err(format!("image-build: unknown format {other:?}")),
    };
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_undo_sh_quoting() {
        assert_eq!(
            words("rm -rf results && lorax '--volid=Demo-1.0 Server.x86_64' 'it'\\''s' results"),
            [
                "rm",
                "-rf",
                "results",
                "&&",
                "lorax",
                "--volid=Demo-1.0 Server.x86_64",
                "it's",
                "results"
            ]
        );
    }
}
