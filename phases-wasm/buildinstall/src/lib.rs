//! Buildinstall: the installer boot tree of every top-level variant.arch, made by lorax
//! (`buildinstall_method = "lorax"`) in a Koji runroot with the command line Pungi forms.
//! The tree comes back as the task's output, is placed verified in
//! `work/<arch>/buildinstall/<Variant>/` and hardlinked into
//! `compose/<Variant>/<arch>/os/` (Createiso then makes the DVDs bootable from it);
//! `images/boot.iso` also becomes the netinstall image in
//! `compose/<Variant>/<arch>/iso/`, listed in `images.json` as a bootable `boot` ISO.

use pungi_koji_tasks::blocks::Config;
use pungi_koji_tasks::deliver::Batch;
use pungi_koji_tasks::failure::Deliverable;
use pungi_koji_tasks::images::{self, Kind, Placed};
use pungi_koji_tasks::lorax::{Lorax, LoraxOptions, command};
use pungi_koji_tasks::names::{image_name, image_name_format};
use pungi_koji_tasks::runroot::{Runroot, join};
use pungi_koji_tasks::task::{Finished, Runner};
use pungi_koji_tasks::urls::tree_url;
use pungi_koji_tasks::volid::Volids;
use pungi_phase_sdk::{
    ComposeInfo, Context, MountRole, Phase, PhaseError, Summary, VariantInfo, log, register_phase,
};
use serde_json::Value;

struct Buildinstall;

/// Where lorax writes in the runroot, relative to the command's directory.
const RESULTS: &str = "results";
const LOGS: &str = "logs";

/// Where one variant.arch's tree goes.
struct Destination {
    variant: String,
    arch: String,
    work: String,
    compose: String,
    netinst_name: String,
    logs: String,
}

impl Phase for Buildinstall {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        match ctx.option::<String>("buildinstall_method")?.as_deref() {
            None => return Ok(Summary::new("buildinstall_method is not set: no installer")),
            Some("lorax") => {}
            Some(other) => {
                return Err(PhaseError::config(format!(
                    "buildinstall_method = {other:?}: only \"lorax\" is supported (Pungi dropped the others)"
                )));
            }
        }
        if ctx.option::<Value>("buildinstall_kickstart")?.is_some() {
            return Err(PhaseError::config(
                "buildinstall_kickstart: putting a kickstart into the boot images is not supported here; remove it",
            ));
        }
        let info = ctx.info();
        let config = Config::read(
            ctx,
            &[
                "buildinstall_skip",
                "lorax_options",
                "lorax_extra_sources",
                "translate_paths",
                "failable_deliverables",
                "image_name_format",
            ],
        )?;
        let runroot = Runroot::read(ctx, "buildinstall")?;
        let volids = Volids::read(ctx)?;
        let version = ctx
            .option::<String>("treeinfo_version")?
            .unwrap_or_else(|| info.release_version.clone());
        let compose = ctx.mount_path(&MountRole::Compose)?;
        let work = ctx.mount_path(&MountRole::Work)?;
        let logs = ctx.mount_path(&MountRole::Logs)?;
        let runner = Runner::connect(logs.clone())?;
        let mut batch = Batch::new(&runner);
        for variant in info.variants.iter().filter(|v| v.kind == "variant") {
            for arch in &variant.arches {
                if config
                    .arch_variant_values("buildinstall_skip", &variant.uid, arch)?
                    .contains(&Value::Bool(true))
                {
                    log::info(format!(
                        "{}.{arch}: skipped by buildinstall_skip",
                        variant.uid
                    ));
                    continue;
                }
                let volid = volids.volid(&info, variant, arch, "boot")?;
                let words = lorax_command(&info, &config, variant, arch, &version, &volid)?;
                let script = format!(
                    "rm -rf {RESULTS} {LOGS} && mkdir -p {LOGS} && {}",
                    join(&words)
                );
                let params = runroot.params(arch, &script, &["lorax".into()], &[RESULTS, LOGS]);
                let format = image_name_format(&config, &variant.uid)?;
                let destination = Destination {
                    variant: variant.uid.clone(),
                    arch: arch.clone(),
                    work: format!("{work}/{arch}/buildinstall/{}", variant.uid),
                    compose: compose.clone(),
                    netinst_name: image_name(
                        &info,
                        &format,
                        &variant.uid,
                        arch,
                        &volids.disc_type("boot"),
                        ".iso",
                    )?,
                    logs: format!("{logs}/{arch}/buildinstall-{}-logs", variant.uid),
                };
                let deliverable = Deliverable {
                    variant: variant.uid.clone(),
                    arches: vec![arch.clone()],
                    kind: "buildinstall",
                    subvariant: variant.uid.clone(),
                    failable: config.failable_deliverable("buildinstall", &variant.uid, arch)?,
                };
                batch.submit(
                    deliverable,
                    "runroot",
                    params,
                    Box::new(move |runner, task| place(ctx, runner, task, &destination)),
                );
            }
        }
        let delivered = batch.finish(ctx)?;
        let trees = delivered.tasks.len() as u64;
        images::record(ctx, delivered.placed)?;
        Ok(Summary::new(format!(
            "{trees} boot trees, {} failed (failable)",
            delivered.failed
        ))
        .count("trees", trees))
    }
}

/// The lorax command of one variant.arch.
fn lorax_command(
    info: &ComposeInfo,
    config: &Config,
    variant: &VariantInfo,
    arch: &str,
    version: &str,
    volid: &str,
) -> Result<Vec<String>, PhaseError> {
    let mut sources = vec![tree_url(config, &info.id, &variant.uid, arch)?];
    for extra in config.arch_variant_values("lorax_extra_sources", &variant.uid, arch)? {
        match extra {
            Value::String(url) => sources.push(url),
            Value::Array(urls) => {
                sources.extend(urls.iter().filter_map(|u| u.as_str().map(str::to_owned)))
            }
            other => {
                return Err(PhaseError::config(format!(
                    "lorax_extra_sources: expected URLs, found {other}"
                )));
            }
        }
    }
    let options =
        LoraxOptions::merge(&config.arch_variant_blocks("lorax_options", &variant.uid, arch)?)
            .map_err(|e| {
                PhaseError::config(format!(
                    "lorax_options of {}.{arch}: {}",
                    variant.uid, e.message
                ))
            })?;
    Ok(command(
        &Lorax {
            product: &info.release_name,
            version,
            release: &info.release_version,
            sources: &sources,
            variant: &variant.uid,
            arch,
            volid,
            output: RESULTS,
            logs: LOGS,
        },
        &options,
    ))
}

/// Places the boot tree and its logs, links the tree into the os tree and boot.iso as
/// the netinstall image; returns that image.
fn place(
    ctx: &Context,
    runner: &Runner,
    task: &Finished,
    to: &Destination,
) -> Result<Vec<Placed>, PhaseError> {
    let os = format!("{}/{}/{}/os", to.compose, to.variant, to.arch);
    let mut boot_iso = false;
    for output in &task.outputs {
        let file = output.filename.as_str();
        if let Some(log) = file.strip_prefix(&format!("{LOGS}/")) {
            runner
                .koji
                .download_task_output(task.id, file, &format!("{}/{log}", to.logs))?;
        } else if let Some(path) = file.strip_prefix(&format!("{RESULTS}/")) {
            let placed = format!("{}/{path}", to.work);
            runner.koji.download_task_output(task.id, file, &placed)?;
            ctx.link(&placed, &format!("{os}/{path}"))?;
            boot_iso |= path == "images/boot.iso";
        }
    }
    if !boot_iso {
        return Err(PhaseError::input(format!(
            "koji task {} made no {RESULTS}/images/boot.iso: not a lorax boot tree",
            task.id
        )));
    }
    let relative = format!("{}/{}/iso/{}", to.variant, to.arch, to.netinst_name);
    ctx.link(
        &format!("{os}/images/boot.iso"),
        &format!("{}/{relative}", to.compose),
    )?;
    let kind = Kind {
        kind: "boot".into(),
        format: "iso".into(),
        bootable: true,
    };
    Ok(vec![Placed {
        variant: to.variant.clone(),
        image: images::describe(&to.compose, &relative, &to.arch, &to.variant, &kind)?,
    }])
}

register_phase!(Buildinstall);
