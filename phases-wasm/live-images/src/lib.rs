//! LiveImages: live CDs and appliances made by `koji spin-livecd` (`livecd`) and
//! `koji spin-appliance` (`appliance`), one task per `live_images` block of a
//! variant.arch. Live ISOs go to `compose/<Variant>/<arch>/iso/`, renamed as Pungi
//! names them unless `live_images_no_rename`; appliances (`raw.xz`) to
//! `compose/<Variant>/<arch>/images/`. Both are listed in `images.json`.

use pungi_koji_tasks::blocks::{self, Block, Config};
use pungi_koji_tasks::deliver::Batch;
use pungi_koji_tasks::failure::Deliverable;
use pungi_koji_tasks::images::{self, Kind, Target};
use pungi_koji_tasks::names::image_name;
use pungi_koji_tasks::release::Settings;
use pungi_koji_tasks::task::Runner;
use pungi_koji_tasks::urls::tree_url;
use pungi_phase_sdk::{
    ComposeInfo, Context, MountRole, Phase, PhaseError, Summary, VariantInfo, register_phase,
};
use serde_json::{Value, json};

struct LiveImages;

/// How Pungi names live ISOs (not `image_name_format`): this after the compose id, or
/// after `<name>-<version>` when the block names the image.
const LIVE_NAME: &str = "%(variant)s-%(arch)s-%(disc_type)s%(disc_num)s%(suffix)s";

impl Phase for LiveImages {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let config = Config::read(
            ctx,
            &[
                "live_images",
                "failable_deliverables",
                "translate_paths",
                "live_images_no_rename",
                "live_target",
                "disc_types",
            ],
        )?;
        let settings = Settings::read(ctx, "live_images")?;
        let compose = ctx.mount_path(&MountRole::Compose)?;
        let logs = ctx.mount_path(&MountRole::Logs)?;
        let no_rename = config.value("live_images_no_rename")? == Some(Value::Bool(true));
        let live_type = config
            .value("disc_types")?
            .and_then(|d| d.get("live").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| "live".into());
        let runner = Runner::connect(logs.clone())?;
        let mut batch = Batch::new(&runner);
        for variant in &info.variants {
            for arch in &variant.arches {
                for block in config.arch_variant_blocks("live_images", &variant.uid, arch)? {
                    let at = |e: PhaseError| {
                        PhaseError::config(format!(
                            "live_images of {}.{arch}: {}",
                            variant.uid, e.message
                        ))
                    };
                    let appliance =
                        blocks::string(&block, "type").map_err(at)?.as_deref() == Some("appliance");
                    let (method, name, version, params) =
                        params(&info, &config, &settings, variant, arch, &block, appliance)
                            .map_err(at)?;
                    let subvariant = blocks::string(&block, "subvariant")
                        .map_err(at)?
                        .unwrap_or_else(|| variant.uid.clone());
                    let failable = blocks::flag(&block, "failable", false).map_err(at)?
                        || config.failable_deliverable("live", &variant.uid, arch)?;
                    let deliverable = Deliverable {
                        variant: variant.uid.clone(),
                        arches: vec![arch.clone()],
                        kind: "live",
                        subvariant: subvariant.clone(),
                        failable,
                    };
                    let (compose, variant_uid, info) = (&compose, variant.uid.clone(), &info);
                    let live_type = live_type.clone();
                    let arches = vec![arch.clone()];
                    batch.submit(
                        deliverable,
                        method,
                        params,
                        Box::new(move |runner, task| {
                            let target = Target {
                                compose,
                                variant: &variant_uid,
                                subvariant: &subvariant,
                            };
                            if appliance {
                                let kind = Kind {
                                    kind: "raw-xz".into(),
                                    format: "raw.xz".into(),
                                    bootable: false,
                                };
                                return images::place_by_arch(
                                    runner,
                                    task,
                                    &target,
                                    &arches,
                                    "raw.xz",
                                    "images",
                                    &kind,
                                    &|_, file| Ok(file.to_owned()),
                                );
                            }
                            let kind = Kind {
                                kind: "live".into(),
                                format: "iso".into(),
                                bootable: true,
                            };
                            let format = match &name {
                                Some(name) => format!("{name}-{version}-{LIVE_NAME}"),
                                None => format!("%(compose_id)s-{LIVE_NAME}"),
                            };
                            images::place_by_arch(
                                runner,
                                task,
                                &target,
                                &arches,
                                "iso",
                                "iso",
                                &kind,
                                &|arch, file| {
                                    if no_rename {
                                        return Ok(file.to_owned());
                                    }
                                    image_name(
                                        info,
                                        &format,
                                        &variant_uid,
                                        arch,
                                        &live_type,
                                        ".iso",
                                    )
                                },
                            )
                        }),
                    );
                }
            }
        }
        batch
            .finish(ctx)?
            .record_images(ctx, "live images", "tasks")
    }
}

/// `livecd|appliance(name, version, arch, target, ksfile, opts)` as `koji spin-livecd`
/// and `koji spin-appliance` call them; also the configured name and the version,
/// for renaming.
fn params(
    info: &ComposeInfo,
    config: &Config,
    settings: &Settings,
    variant: &VariantInfo,
    arch: &str,
    block: &Block,
    appliance: bool,
) -> Result<(&'static str, Option<String>, String, Value), PhaseError> {
    let kickstart = blocks::string(block, "kickstart")?
        .ok_or_else(|| PhaseError::config("`kickstart` is required"))?;
    let custom_name = blocks::string(block, "name")?;
    let name = custom_name
        .clone()
        .unwrap_or_else(|| format!("{}-{}", info.release_short, variant.uid));
    let version = settings.version(block)?;
    let mut repos = vec![tree_url(config, &info.id, &variant.uid, arch)?];
    for repo in blocks::strings(block, "repo")? {
        repos.push(if info.variants.iter().any(|v| v.uid == repo) {
            tree_url(config, &info.id, &repo, arch)?
        } else {
            repo
        });
    }
    let mut opts = serde_json::Map::new();
    opts.insert("repo".into(), json!(repos));
    opts.insert(
        "scratch".into(),
        json!(blocks::flag(block, "scratch", false)?),
    );
    if let Some(ksurl) = settings.string(block, "ksurl")? {
        opts.insert("ksurl".into(), json!(ksurl));
    }
    if let Some(release) = settings.release(block)? {
        opts.insert("release".into(), json!(release));
    }
    if let Some(specfile) = blocks::string(block, "specfile")? {
        opts.insert("specfile".into(), json!(specfile));
    }
    // Pungi's `live_target` wins over the block's, the phase's and the global target.
    let target = match config.value("live_target")? {
        Some(Value::String(target)) if !target.is_empty() => target,
        _ => settings.target(block)?,
    };
    let method = if appliance { "appliance" } else { "livecd" };
    let params = json!([name, version, arch, target, kickstart, Value::Object(opts)]);
    Ok((method, custom_name, version, params))
}

register_phase!(LiveImages);
