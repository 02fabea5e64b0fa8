//! Test: sanity checks of the finished compose. Repoclosure of every binary and debug
//! repository, read back from the repodata Createrepo wrote (so it checks that too), with
//! the parent variant's repository as lookaside, and checks of every ISO image (see
//! `images`). Like Pungi, problems are reported in
//! `logs/test/<arch>/repoclosure-<Variant>.<arch>.log` and `logs/test/test-images.log` and
//! never fail the compose.

mod images;

use std::collections::BTreeMap;

use pungi_documents::{CreaterepoDocument, RepoRecord, TreeKind, names};
use pungi_phase_sdk::{
    Context, MountRole, Phase, PhaseError, Progress, Summary, fs, log, register_phase,
};
use pungi_repodata::{Package, ReadOptions, read_repo, repoclosure};
use serde::Serialize;

struct Test;

/// The `test` document: what was checked and what was found.
#[derive(Serialize)]
struct TestDocument {
    repos: Vec<RepoReport>,
    images: Vec<images::ImageReport>,
}

/// The outcome of one repository's check, for the `test` document.
#[derive(Serialize)]
struct RepoReport {
    repo: String,
    packages: usize,
    unresolved: Vec<String>,
}

impl Phase for Test {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let logs = ctx.mount_path(&MountRole::Logs)?;
        let created: CreaterepoDocument = ctx.read_document(names::CREATEREPO)?;
        let parents: BTreeMap<&str, &str> = info
            .variants
            .iter()
            .filter_map(|v| v.parent.as_deref().map(|p| (v.uid.as_str(), p)))
            .collect();
        let checked: Vec<&RepoRecord> = created
            .repos
            .iter()
            .filter(|r| r.kind != TreeKind::Source)
            .collect();
        let progress = Progress::begin(checked.len() as u64, "repoclosure");
        let loaded: BTreeMap<&str, Vec<Package>> = checked
            .iter()
            .map(|r| Ok((r.path.as_str(), load(&r.path)?)))
            .collect::<Result<_, PhaseError>>()?;
        let mut reports = Vec::new();
        let mut broken = 0usize;
        for repo in &checked {
            let packages = &loaded[repo.path.as_str()];
            let mut lookaside = Vec::new();
            let mut variant = repo.variant.as_str();
            let lookaside_repos = std::iter::from_fn(|| {
                let parent = parents.get(variant).copied()?;
                variant = parent;
                Some(parent)
            })
            .chain((repo.kind == TreeKind::Debug).then_some(repo.variant.as_str()));
            for uid in lookaside_repos.collect::<Vec<_>>() {
                if let Some(binary) = created
                    .repos
                    .iter()
                    .find(|r| r.variant == uid && r.arch == repo.arch && r.kind == TreeKind::Binary)
                {
                    lookaside.extend(loaded[binary.path.as_str()].iter().cloned());
                }
            }
            let unresolved: Vec<String> = repoclosure(packages, &lookaside)
                .into_iter()
                .map(|u| {
                    format!(
                        "package: {}\n  unresolved deps:\n    {}",
                        u.package, u.requirement
                    )
                })
                .collect();
            let name = match repo.kind {
                TreeKind::Debug => format!("{}.{}.debug", repo.variant, repo.arch),
                _ => format!("{}.{}", repo.variant, repo.arch),
            };
            let mut text = format!(
                "repoclosure of {} ({} packages)\n",
                repo.path,
                packages.len()
            );
            if unresolved.is_empty() {
                text.push_str("no unresolved dependencies\n");
            } else {
                broken += 1;
                log::warn(format!(
                    "{name}: {} unresolved dependencies, see the repoclosure log",
                    unresolved.len()
                ));
                for line in &unresolved {
                    text.push_str(line);
                    text.push('\n');
                }
            }
            fs::write_atomic(
                &format!("{logs}/{}/repoclosure-{name}.log", repo.arch),
                text.as_bytes(),
            )?;
            reports.push(RepoReport {
                repo: repo.path.clone(),
                packages: packages.len(),
                unresolved,
            });
            progress.advance(1);
        }
        progress.finish("done");
        let compose = ctx.mount_path(&MountRole::Compose)?;
        let image_reports = match ctx.try_read_document(names::IMAGES)? {
            Some(manifest) => images::check_all(ctx, &compose, &manifest),
            None => Vec::new(),
        };
        let bad_images = image_reports
            .iter()
            .filter(|r| !r.problems.is_empty())
            .count();
        let mut text = String::new();
        for report in &image_reports {
            if report.problems.is_empty() {
                text.push_str(&format!("{}: ok\n", report.image));
            } else {
                log::warn(format!("{}: {}", report.image, report.problems.join("; ")));
                for problem in &report.problems {
                    text.push_str(&format!("{}: FAILED: {problem}\n", report.image));
                }
            }
        }
        fs::write_atomic(&format!("{logs}/test-images.log"), text.as_bytes())?;
        let repos = reports.len();
        let image_count = image_reports.len();
        ctx.write_document(
            names::TEST,
            &TestDocument {
                repos: reports,
                images: image_reports,
            },
        )?;
        let mut message = if broken == 0 {
            format!("repoclosure clean for {repos} repositories")
        } else {
            format!(
                "{broken} of {repos} repositories have unresolved dependencies (reported, not fatal)"
            )
        };
        message.push_str(&if bad_images == 0 {
            format!("; {image_count} images pass their checks")
        } else {
            format!("; {bad_images} images FAILED their checks (reported, not fatal)")
        });
        Ok(Summary::new(message)
            .count("repositories", repos as u64)
            .count("with problems", broken as u64)
            .count("bad images", bad_images as u64))
    }
}

/// A repository's packages, read back from its repodata.
fn load(path: &str) -> Result<Vec<Package>, PhaseError> {
    read_repo(std::path::Path::new(path), &ReadOptions::default())
        .map_err(|e| PhaseError::input(format!("reading repodata of {path}: {e}")))
}

register_phase!(Test);
