//! The lorax command line Pungi forms for one variant.arch (`LoraxWrapper`), for
//! Buildinstall (from `lorax_options` merged over the variant.arch's blocks) and
//! OSTreeInstaller (from its block).

use pungi_phase_sdk::PhaseError;

use crate::blocks::{self, Block};

/// What the command line is made of.
pub struct Lorax<'a> {
    pub product: &'a str,
    pub version: &'a str,
    pub release: &'a str,
    pub sources: &'a [String],
    pub variant: &'a str,
    pub arch: &'a str,
    pub volid: &'a str,
    /// Directory lorax writes the boot tree into.
    pub output: &'a str,
    /// Directory of `lorax.log`.
    pub logs: &'a str,
}

/// `lorax_options` for one variant.arch, later blocks winning as in Pungi (an
/// `ostree_installer` block has the same keys, plus `installpkgs`).
#[derive(Debug, Default)]
pub struct LoraxOptions {
    pub installpkgs: Vec<String>,
    pub bugurl: Option<String>,
    pub nomacboot: bool,
    pub noupgrade: bool,
    pub add_template: Vec<String>,
    pub add_arch_template: Vec<String>,
    pub add_template_var: Vec<String>,
    pub add_arch_template_var: Vec<String>,
    /// GiB, a number (`lorax_options`) or a string (`ostree_installer`).
    pub rootfs_size: Option<String>,
    /// Overrides the version lorax gets (`treeinfo_version`/`release_version`).
    pub version: Option<String>,
    pub dracut_args: Vec<String>,
    pub skip_branding: bool,
    pub squashfs_only: bool,
    pub configuration_file: Option<String>,
}

impl LoraxOptions {
    /// The options of `blocks` in order, over lorax's defaults as Pungi sets them.
    pub fn merge(blocks: &[Block]) -> Result<Self, PhaseError> {
        let mut o = LoraxOptions {
            nomacboot: true,
            noupgrade: true,
            ..LoraxOptions::default()
        };
        for b in blocks {
            o.bugurl = blocks::string(b, "bugurl")?.or(o.bugurl);
            o.nomacboot = blocks::flag(b, "nomacboot", o.nomacboot)?;
            o.noupgrade = blocks::flag(b, "noupgrade", o.noupgrade)?;
            o.installpkgs.extend(blocks::strings(b, "installpkgs")?);
            o.add_template.extend(blocks::strings(b, "add_template")?);
            o.add_arch_template
                .extend(blocks::strings(b, "add_arch_template")?);
            o.add_template_var
                .extend(blocks::strings(b, "add_template_var")?);
            o.add_arch_template_var
                .extend(blocks::strings(b, "add_arch_template_var")?);
            if let Some(size) = b.get("rootfs_size").filter(|v| !v.is_null()) {
                o.rootfs_size = Some(match size {
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::String(s) if s.parse::<f64>().is_ok() => s.clone(),
                    other => {
                        return Err(PhaseError::config(format!(
                            "`rootfs_size`: expected a number, found {other}"
                        )));
                    }
                });
            }
            o.version = blocks::string(b, "version")?.or(o.version);
            o.dracut_args.extend(blocks::strings(b, "dracut_args")?);
            o.skip_branding = blocks::flag(b, "skip_branding", o.skip_branding)?;
            o.squashfs_only = blocks::flag(b, "squashfs_only", o.squashfs_only)?;
            if let Some(file) = b.get("configuration_file").filter(|v| !v.is_null()) {
                o.configuration_file = Some(file.as_str().map(str::to_owned).ok_or_else(|| {
                    PhaseError::config(
                        "`configuration_file` from SCM is not supported here; give a path the builder has",
                    )
                })?);
            }
        }
        Ok(o)
    }
}

/// The command's words, in Pungi's order.
pub fn command(l: &Lorax, o: &LoraxOptions) -> Vec<String> {
    let mut cmd = vec![
        "lorax".to_owned(),
        format!("--product={}", l.product),
        format!("--version={}", o.version.as_deref().unwrap_or(l.version)),
        format!("--release={}", l.release),
    ];
    cmd.extend(l.sources.iter().map(|s| format!("--source={s}")));
    cmd.push(format!("--variant={}", l.variant));
    if let Some(bugurl) = &o.bugurl {
        cmd.push(format!("--bugurl={bugurl}"));
    }
    if o.nomacboot {
        cmd.push("--nomacboot".into());
    }
    if o.noupgrade {
        cmd.push("--noupgrade".into());
    }
    cmd.push(format!("--buildarch={}", l.arch));
    cmd.push(format!("--volid={}", l.volid));
    for (flag, values) in [
        ("--installpkgs", &o.installpkgs),
        ("--add-template", &o.add_template),
        ("--add-arch-template", &o.add_arch_template),
        ("--add-template-var", &o.add_template_var),
        ("--add-arch-template-var", &o.add_arch_template_var),
    ] {
        cmd.extend(values.iter().map(|v| format!("{flag}={v}")));
    }
    if let Some(size) = &o.rootfs_size {
        cmd.push(format!("--rootfs-size={size}"));
    }
    cmd.push(format!("--logfile={}/lorax.log", l.logs));
    cmd.extend(o.dracut_args.iter().map(|a| format!("--dracut-arg={a}")));
    if o.skip_branding {
        cmd.push("--skip-branding".into());
    }
    if o.squashfs_only {
        cmd.push("--squashfs-only".into());
    }
    if let Some(file) = &o.configuration_file {
        cmd.push(format!("--config={file}"));
    }
    cmd.push(l.output.to_owned());
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(json: &str) -> Block {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn command_line_as_pungi_forms_it() {
        let sources = vec!["https://k/compose/Server/x86_64/os".to_owned()];
        let l = Lorax {
            product: "Fedora",
            version: "41",
            release: "41",
            sources: &sources,
            variant: "Server",
            arch: "x86_64",
            volid: "Fedora-41 Server.x86_64",
            output: "results",
            logs: "logs",
        };
        let o = LoraxOptions::merge(&[
            block(r#"{"add_template": ["a.tmpl"], "rootfs_size": 3}"#),
            block(r#"{"noupgrade": false, "add_template": ["b.tmpl"], "bugurl": "https://bugs"}"#),
        ])
        .unwrap();
        assert_eq!(
            command(&l, &o),
            [
                "lorax",
                "--product=Fedora",
                "--version=41",
                "--release=41",
                "--source=https://k/compose/Server/x86_64/os",
                "--variant=Server",
                "--bugurl=https://bugs",
                "--nomacboot",
                "--buildarch=x86_64",
                "--volid=Fedora-41 Server.x86_64",
                "--add-template=a.tmpl",
                "--add-template=b.tmpl",
                "--rootfs-size=3",
                "--logfile=logs/lorax.log",
                "results",
            ]
        );
        assert!(
            crate::runroot::join(&command(&l, &o)).contains(" '--volid=Fedora-41 Server.x86_64' ")
        );
        assert!(LoraxOptions::merge(&[block(r#"{"rootfs_size": "big"}"#)]).is_err());
    }
}
