//! OSTreeInstaller: an installer embedding an OSTree repository per
//! `ostree_installer` block of a variant.arch, made by lorax with the block's templates
//! in a Koji runroot (as Pungi runs it); the `images/boot.iso` it makes is placed in
//! `compose/<Variant>/<arch>/iso/` under Pungi's `ostree` disc name and listed in
//! `images.json` as a bootable `dvd-ostree` ISO.

use pungi_koji_tasks::blocks::{self, Block, Config};
use pungi_koji_tasks::deliver::Batch;
use pungi_koji_tasks::failure::{Deliverable, is_failable};
use pungi_koji_tasks::images::{self, Kind, Target};
use pungi_koji_tasks::lorax::{Lorax, LoraxOptions, command};
use pungi_koji_tasks::names::{image_name, image_name_format};
use pungi_koji_tasks::release::Settings;
use pungi_koji_tasks::runroot::{Runroot, join, quote};
use pungi_koji_tasks::urls::tree_url;
use pungi_koji_tasks::volid::Volids;
use pungi_phase_sdk::{
    ComposeInfo, Context, MountRole, Phase, PhaseError, Summary, VariantInfo, register_phase,
};

struct OstreeInstaller;

const RESULTS: &str = "results";
const LOGS: &str = "logs";
const TEMPLATES: &str = "templates";

impl Phase for OstreeInstaller {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let config = Config::read(
            ctx,
            &[
                "ostree_installer",
                "failable_deliverables",
                "translate_paths",
                "image_name_format",
            ],
        )?;
        let settings = Settings::read(ctx, "ostree_installer")?;
        let runroot = Runroot::read(ctx, "ostree_installer")?;
        let volids = Volids::read(ctx)?;
        let compose = ctx.mount_path(&MountRole::Compose)?;
        let logs = ctx.mount_path(&MountRole::Logs)?;
        let runner = pungi_koji_tasks::task::Runner::connect(logs.clone())?;
        let mut batch = Batch::new(&runner);
        for variant in &info.variants {
            for arch in &variant.arches {
                for block in config.arch_variant_blocks("ostree_installer", &variant.uid, arch)? {
                    let at = |e: PhaseError| {
                        PhaseError::config(format!(
                            "ostree_installer of {}.{arch}: {}",
                            variant.uid, e.message
                        ))
                    };
                    let volid = volids.volid(&info, variant, arch, "ostree")?;
                    let script = script(&info, &config, &settings, variant, arch, &block, &volid)
                        .map_err(at)?;
                    let mut packages = vec!["lorax".to_owned(), "git".to_owned()];
                    packages.extend(blocks::strings(&block, "extra_runroot_pkgs").map_err(at)?);
                    let params = runroot.params(arch, &script, &packages, &[RESULTS, LOGS]);
                    let arches = vec![arch.clone()];
                    let deliverable = Deliverable {
                        variant: variant.uid.clone(),
                        arches: arches.clone(),
                        kind: "ostree-installer",
                        subvariant: variant.uid.clone(),
                        failable: is_failable(
                            &config,
                            &block,
                            "ostree-installer",
                            &variant.uid,
                            &arches,
                        )
                        .map_err(at)?,
                    };
                    let name = image_name(
                        &info,
                        &image_name_format(&config, &variant.uid)?,
                        &variant.uid,
                        arch,
                        &volids.disc_type("ostree"),
                        ".iso",
                    )?;
                    let relative = format!("{}/{arch}/iso/{name}", variant.uid);
                    let log_dir = format!("{logs}/{arch}/{}/ostree_installer", variant.uid);
                    let (compose, variant_uid, arch) =
                        (&compose, variant.uid.clone(), arch.clone());
                    batch.submit(
                        deliverable,
                        "runroot",
                        params,
                        Box::new(move |runner, task| {
                            for output in &task.outputs {
                                if let Some(log) = output.filename.strip_prefix(&format!("{LOGS}/"))
                                {
                                    runner.koji.download_task_output(
                                        task.id,
                                        &output.filename,
                                        &format!("{log_dir}/{log}"),
                                    )?;
                                }
                            }
                            let kind = Kind {
                                kind: "dvd-ostree".into(),
                                format: "iso".into(),
                                bootable: true,
                            };
                            let target = Target {
                                compose,
                                variant: &variant_uid,
                                subvariant: &variant_uid,
                            };
                            let placed = images::fetch(
                                runner,
                                task.id,
                                &format!("{RESULTS}/images/boot.iso"),
                                &target,
                                &relative,
                                &arch,
                                &kind,
                            )?;
                            Ok(vec![placed])
                        }),
                    );
                }
            }
        }
        let delivered = batch.finish(ctx)?;
        let count = delivered.placed.len() as u64;
        images::record(ctx, delivered.placed)?;
        Ok(Summary::new(format!(
            "{count} OSTree installers, {} failed (failable)",
            delivered.failed
        ))
        .count("images", count))
    }
}

/// The runroot script: the template repository cloned when the block names one, then
/// lorax as Pungi calls it for an OSTree installer.
fn script(
    info: &ComposeInfo,
    config: &Config,
    settings: &Settings,
    variant: &VariantInfo,
    arch: &str,
    block: &Block,
    volid: &str,
) -> Result<String, PhaseError> {
    let mut sources = vec![tree_url(config, &info.id, &variant.uid, arch)?];
    for repo in blocks::strings(block, "repo")? {
        sources.push(if info.variants.iter().any(|v| v.uid == repo) {
            tree_url(config, &info.id, &repo, arch)?
        } else {
            repo
        });
    }
    let mut options = LoraxOptions::merge(std::slice::from_ref(block))?;
    let template_repo = blocks::string(block, "template_repo")?;
    if template_repo.is_some() {
        for template in options
            .add_template
            .iter_mut()
            .chain(&mut options.add_arch_template)
        {
            *template = format!("{TEMPLATES}/{template}");
        }
    }
    let release = settings
        .release(block)?
        .unwrap_or_else(|| info.release_version.clone());
    let version = settings.version(block)?;
    let lorax = join(&command(
        &Lorax {
            product: &info.release_name,
            version: &version,
            release: &release,
            sources: &sources,
            variant: &variant.uid,
            arch,
            volid,
            output: RESULTS,
            logs: LOGS,
        },
        &options,
    ));
    let mut script = format!("rm -rf {RESULTS} {LOGS} {TEMPLATES} && mkdir -p {LOGS} && ");
    if let Some(repo) = template_repo {
        let branch = blocks::string(block, "template_branch")?.unwrap_or_else(|| "master".into());
        script.push_str(&format!(
            "git clone --depth 1 --branch {} {} {TEMPLATES} && ",
            quote(&branch),
            quote(&repo)
        ));
    }
    script.push_str(&lorax);
    Ok(script)
}

register_phase!(OstreeInstaller);
