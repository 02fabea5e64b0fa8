//! The file sources Pungi's `extra_files` (and our `productimg_sources`) name: `scm`
//! `file` (a file or directory beside the config), `git` (a local repository at a ref,
//! through the granted `git` command; remote URLs need a network the sandbox does not
//! give) and `rpm` (files out of a package of the package set, its payload unpacked by
//! the granted `rpm2cpio` and read here).

use std::cell::Cell;
use std::collections::BTreeMap;

use pungi_documents::PkgsetDocument;
use pungi_phase_sdk::{Command, Context, Invocation, MountRole, PhaseError, fs};
use serde::Deserialize;

/// One source, as a Pungi config dict gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub scm: String,
    #[serde(default)]
    pub repo: Option<String>,
    #[serde(default)]
    pub branch: Option<String>,
    #[serde(default)]
    pub file: Option<OneOrMany>,
    #[serde(default)]
    pub dir: Option<String>,
    /// Where under the destination the files go.
    #[serde(default)]
    pub target: String,
}

/// `file` may be one path or a list.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// Fetches sources into directories of the compose, returning what it wrote.
pub struct Fetcher<'a> {
    ctx: &'a Context,
    config: String,
    work: String,
    pkgset: Option<&'a PkgsetDocument>,
    checkouts: Cell<u32>,
}

impl<'a> Fetcher<'a> {
    pub fn new(ctx: &'a Context, pkgset: Option<&'a PkgsetDocument>) -> Result<Self, PhaseError> {
        Ok(Fetcher {
            ctx,
            config: ctx.mount_path(&MountRole::Config)?,
            work: ctx.mount_path(&MountRole::Work)?,
            pkgset,
            checkouts: Cell::new(0),
        })
    }

    /// Copies what `source` names into `dest` (`target` below it); returns the copied
    /// files relative to `dest`. `vars` fill `%(arch)s`-style names in `repo`.
    pub fn fetch(
        &self,
        source: &Source,
        arch: &str,
        vars: &BTreeMap<&str, String>,
        dest: &str,
    ) -> Result<Vec<String>, PhaseError> {
        let target = source.target.trim_matches('/');
        let into = if target.is_empty() {
            dest.to_owned()
        } else {
            format!("{dest}/{target}")
        };
        if target.split('/').any(|p| p == "..") {
            return Err(PhaseError::config(format!(
                "target {target:?} climbs with `..`"
            )));
        }
        let copied = match source.scm.as_str() {
            "file" => self.copy_dir(&self.config, source, &into)?,
            "git" => {
                let checkout = self.checkout(source)?;
                self.copy_dir(&checkout, source, &into)?
            }
            "rpm" => self.extract_rpms(source, arch, vars, &into)?,
            other => {
                return Err(PhaseError::config(format!(
                    "scm {other:?} is not supported: use \"file\", \"git\" or \"rpm\""
                )));
            }
        };
        Ok(copied
            .into_iter()
            .map(|p| match target {
                "" => p,
                t => format!("{t}/{p}"),
            })
            .collect())
    }

    /// `file`s (by base name) or a `dir`'s content from a directory.
    fn copy_dir(&self, root: &str, source: &Source, into: &str) -> Result<Vec<String>, PhaseError> {
        let mut copied = Vec::new();
        for file in files_of(source)? {
            let path = relative(root, &file)?;
            let name = file.rsplit('/').next().unwrap_or(&file).to_owned();
            self.ctx.link(&path, &format!("{into}/{name}"))?;
            copied.push(name);
        }
        if let Some(dir) = &source.dir {
            let path = relative(root, dir)?;
            self.copy_tree(&path, into, "", &mut copied)?;
        }
        Ok(copied)
    }

    fn copy_tree(
        &self,
        from: &str,
        into: &str,
        prefix: &str,
        out: &mut Vec<String>,
    ) -> Result<(), PhaseError> {
        let entries =
            std::fs::read_dir(from).map_err(|e| PhaseError::io(format!("listing {from}"), e))?;
        let mut names: Vec<(String, bool)> = entries
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    e.file_type().is_ok_and(|t| t.is_dir()),
                )
            })
            .filter(|(name, _)| name != ".git")
            .collect();
        names.sort();
        for (name, is_dir) in names {
            let rel = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            if is_dir {
                self.copy_tree(&format!("{from}/{name}"), into, &rel, out)?;
            } else {
                self.ctx
                    .link(&format!("{from}/{name}"), &format!("{into}/{rel}"))?;
                out.push(rel);
            }
        }
        Ok(())
    }

    /// Clones a local repository into `work/global/scm/` and checks out `branch`.
    fn checkout(&self, source: &Source) -> Result<String, PhaseError> {
        let repo = source
            .repo
            .as_deref()
            .ok_or_else(|| PhaseError::config("scm \"git\" needs a repo"))?;
        let local = repo.strip_prefix("file://").unwrap_or(repo);
        let remote = local.contains("://") || (local.contains(':') && !local.starts_with('/'));
        if remote {
            return Err(PhaseError::config(format!(
                "git repo {repo:?} is remote: the sandbox gives phases no network; clone it \
                 next to the config and name it by a relative path"
            )));
        }
        let path = relative(&self.config, local)?;
        let n = self.checkouts.get();
        self.checkouts.set(n + 1);
        let dir = format!("{}/global/scm/checkout-{n}", self.work);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(format!("{}/global/scm", self.work))
            .map_err(|e| PhaseError::io("creating work/global/scm", e))?;
        self.git(&["clone", "--quiet", "--no-checkout", &path, &dir])?;
        let reference = source.branch.as_deref().unwrap_or("HEAD");
        self.git(&["-C", &dir, "checkout", "--quiet", reference, "--"])?;
        Ok(dir)
    }

    fn git(&self, args: &[&str]) -> Result<(), PhaseError> {
        self.ctx
            .run_checked(&Command::new("git").args(args.iter().copied()))?;
        Ok(())
    }

    /// Files out of packages: `repo` is a package name (`name` or `name.arch`, shell
    /// patterns allowed) of the package set for this arch, or a `.rpm` beside the config.
    fn extract_rpms(
        &self,
        source: &Source,
        arch: &str,
        vars: &BTreeMap<&str, String>,
        into: &str,
    ) -> Result<Vec<String>, PhaseError> {
        let pattern = source
            .repo
            .as_deref()
            .ok_or_else(|| PhaseError::config("scm \"rpm\" needs a repo"))?;
        let pattern = crate::subst::format(pattern, vars).map_err(PhaseError::config)?;
        let rpms: Vec<String> = if pattern.ends_with(".rpm") {
            vec![relative(&self.config, &pattern)?]
        } else {
            let (name, want_arch) = match pattern.rsplit_once('.') {
                Some((n, a))
                    if !a.is_empty()
                        && !a.contains('*')
                        && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !a.chars().all(|c| c.is_ascii_digit()) =>
                {
                    (n.to_owned(), Some(a.to_owned()))
                }
                _ => (pattern.clone(), None),
            };
            let pkgset = self
                .pkgset
                .ok_or_else(|| PhaseError::internal("no package set to take packages from"))?;
            pkgset
                .arches
                .get(arch)
                .into_iter()
                .flatten()
                .filter(|p| {
                    pungi_comps::fnmatch(&p.package.name, &name)
                        && want_arch.as_ref().is_none_or(|a| *a == p.package.arch)
                })
                .map(|p| p.path.clone())
                .collect()
        };
        if rpms.is_empty() {
            return Err(PhaseError::config(format!(
                "no package matching {pattern:?} in the package set for {arch}"
            )));
        }
        let mut copied = Vec::new();
        for rpm in &rpms {
            let out = self.ctx.run_command(&Invocation {
                program: "rpm2cpio".into(),
                args: vec![rpm.clone()],
                cwd: None,
                env: Vec::new(),
                timeout_ms: None,
            })?;
            if out.exit_code != Some(0) || out.truncated {
                return Err(PhaseError::input(format!(
                    "rpm2cpio {rpm}: {}",
                    if out.truncated {
                        "the payload is larger than the phase's output-kib".to_owned()
                    } else {
                        String::from_utf8_lossy(&out.stderr).trim().to_owned()
                    }
                )));
            }
            let entries = crate::cpio::regular_files(&out.stdout)
                .map_err(|e| PhaseError::input(format!("{rpm}: {e}")))?;
            let mut found = false;
            for file in files_of(source)? {
                let wanted = file.trim_start_matches('/');
                if let Some(entry) = entries.iter().find(|e| e.name == wanted) {
                    let name = wanted.rsplit('/').next().unwrap_or(wanted).to_owned();
                    fs::write_atomic(&format!("{into}/{name}"), entry.data)?;
                    copied.push(name);
                    found = true;
                }
            }
            if let Some(dir) = &source.dir {
                let prefix = format!("{}/", dir.trim_matches('/'));
                for entry in entries.iter().filter(|e| e.name.starts_with(&prefix)) {
                    let rel = &entry.name[prefix.len()..];
                    fs::write_atomic(&format!("{into}/{rel}"), entry.data)?;
                    copied.push(rel.to_owned());
                    found = true;
                }
            }
            if !found {
                return Err(PhaseError::config(format!(
                    "{rpm} has none of the files the source names"
                )));
            }
        }
        Ok(copied)
    }
}

fn files_of(source: &Source) -> Result<Vec<String>, PhaseError> {
    let files = match &source.file {
        None => Vec::new(),
        Some(OneOrMany::One(f)) => vec![f.clone()],
        Some(OneOrMany::Many(list)) => list.clone(),
    };
    if files.is_empty() && source.dir.is_none() {
        return Err(PhaseError::config(format!(
            "a {} source needs `file` or `dir`",
            source.scm
        )));
    }
    Ok(files)
}

/// `path` under `root`; absolute paths and `..` are refused, since only the config
/// directory (or a checkout) is visible.
fn relative(root: &str, path: &str) -> Result<String, PhaseError> {
    if path.starts_with('/') {
        return Err(PhaseError::config(format!(
            "{path:?} is absolute: give it relative to the config file, whose directory is the \
             only input directory the phase sees"
        )));
    }
    if path.split('/').any(|p| p == "..") {
        return Err(PhaseError::config(format!("{path:?} climbs with `..`")));
    }
    Ok(format!(
        "{root}/{}",
        path.trim_start_matches("./").trim_end_matches('/')
    ))
}
