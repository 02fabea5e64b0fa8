//! LiveMedia: live ISOs made by `koji spin-livemedia` (`livemedia`, lorax's livemedia-
//! creator in Koji), one task per `live_media` block of a variant for the block's
//! arches; each arch's ISO placed in `compose/<Variant>/<arch>/iso/` and listed in
//! `images.json` as a bootable `live` image.

use pungi_koji_tasks::blocks::{self, Block, Config};
use pungi_koji_tasks::deliver::Batch;
use pungi_koji_tasks::failure::{Deliverable, is_failable};
use pungi_koji_tasks::images::{self, Kind, Target};
use pungi_koji_tasks::release::Settings;
use pungi_koji_tasks::task::Runner;
use pungi_koji_tasks::urls::tree_url;
use pungi_phase_sdk::{
    ComposeInfo, Context, MountRole, Phase, PhaseError, Summary, VariantInfo, register_phase,
};
use serde_json::{Value, json};

struct LiveMedia;

impl Phase for LiveMedia {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let config = Config::read(
            ctx,
            &["live_media", "failable_deliverables", "translate_paths"],
        )?;
        let settings = Settings::read(ctx, "live_media")?;
        let compose = ctx.mount_path(&MountRole::Compose)?;
        let logs = ctx.mount_path(&MountRole::Logs)?;
        let runner = Runner::connect(logs.clone())?;
        let mut batch = Batch::new(&runner);
        for variant in &info.variants {
            for block in config.variant_blocks("live_media", &variant.uid)? {
                let at = |e: PhaseError| {
                    PhaseError::config(format!("live_media of {}: {}", variant.uid, e.message))
                };
                let arches = blocks::arches(&block, variant).map_err(at)?;
                if arches.is_empty() {
                    continue;
                }
                let params =
                    params(&info, &config, &settings, variant, &block, &arches).map_err(at)?;
                let subvariant = blocks::string(&block, "subvariant")
                    .map_err(at)?
                    .unwrap_or_else(|| variant.uid.clone());
                let deliverable = Deliverable {
                    variant: variant.uid.clone(),
                    arches: arches.clone(),
                    kind: "live-media",
                    subvariant: subvariant.clone(),
                    failable: is_failable(&config, &block, "live-media", &variant.uid, &arches)
                        .map_err(at)?,
                };
                let (compose, variant_uid) = (compose.clone(), variant.uid.clone());
                batch.submit(
                    deliverable,
                    "livemedia",
                    params,
                    Box::new(move |runner, task| {
                        let target = Target {
                            compose: &compose,
                            variant: &variant_uid,
                            subvariant: &subvariant,
                        };
                        let kind = Kind {
                            kind: "live".into(),
                            format: "iso".into(),
                            bootable: true,
                        };
                        images::place_by_arch(
                            runner,
                            task,
                            &target,
                            &arches,
                            "iso",
                            "iso",
                            &kind,
                            &|_, file| Ok(file.to_owned()),
                        )
                    }),
                );
            }
        }
        batch
            .finish(ctx)?
            .record_images(ctx, "live ISOs", "livemedia tasks")
    }
}

/// `livemedia(name, version, arches, target, ksfile, opts)` as `koji spin-livemedia`
/// calls it.
fn params(
    info: &ComposeInfo,
    config: &Config,
    settings: &Settings,
    variant: &VariantInfo,
    block: &Block,
    arches: &[String],
) -> Result<Value, PhaseError> {
    let name =
        blocks::string(block, "name")?.ok_or_else(|| PhaseError::config("`name` is required"))?;
    let kickstart = blocks::string(block, "kickstart")?
        .ok_or_else(|| PhaseError::config("`kickstart` is required"))?;
    let tree_from =
        blocks::string(block, "install_tree_from")?.unwrap_or_else(|| variant.uid.clone());
    let mut repos = vec![tree_url(config, &info.id, &variant.uid, "$basearch")?];
    for repo in blocks::strings(block, "repo")? {
        repos.push(if info.variants.iter().any(|v| v.uid == repo) {
            tree_url(config, &info.id, &repo, "$basearch")?
        } else {
            repo
        });
    }
    let mut opts = serde_json::Map::new();
    opts.insert("repo".into(), json!(repos));
    opts.insert(
        "install_tree_url".into(),
        json!(tree_url(config, &info.id, &tree_from, "$basearch")?),
    );
    opts.insert(
        "scratch".into(),
        json!(blocks::flag(block, "scratch", false)?),
    );
    opts.insert(
        "skip_tag".into(),
        json!(blocks::flag(block, "skip_tag", false)?),
    );
    opts.insert(
        "nomacboot".into(),
        json!(blocks::flag(block, "nomacboot", false)?),
    );
    if let Some(ksurl) = settings.string(block, "ksurl")? {
        opts.insert("ksurl".into(), json!(ksurl));
    }
    if let Some(ksversion) = blocks::string(block, "ksversion")? {
        opts.insert("ksversion".into(), json!(ksversion));
    }
    if let Some(release) = settings.release(block)? {
        opts.insert("release".into(), json!(release));
    }
    let failable = blocks::strings(block, "failable")?;
    if !failable.is_empty() {
        opts.insert("optional_arches".into(), json!(failable));
    }
    Ok(json!([
        name,
        settings.version(block)?,
        arches,
        settings.target(block)?,
        kickstart,
        Value::Object(opts)
    ]))
}

register_phase!(LiveMedia);
