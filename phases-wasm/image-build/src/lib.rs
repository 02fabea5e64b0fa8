//! ImageBuild: disk and container images made by `koji image-build` (`buildImageOz`),
//! one task per `image_build` block of a variant, for the block's arches; each output
//! of a requested format placed in `compose/<Variant>/<arch>/images/` and listed in
//! `images.json` typed by its format (`qcow2`, `raw-xz`, `vagrant-libvirt`, ...).

use pungi_koji_tasks::blocks::{self, Block, Config};
use pungi_koji_tasks::deliver::Batch;
use pungi_koji_tasks::failure::{Deliverable, is_failable};
use pungi_koji_tasks::image_formats as formats;
use pungi_koji_tasks::images::{self, Kind, Placed, Target};
use pungi_koji_tasks::release::Settings;
use pungi_koji_tasks::task::Runner;
use pungi_koji_tasks::urls::tree_url;
use pungi_phase_sdk::{
    ComposeInfo, Context, MountRole, Phase, PhaseError, Summary, VariantInfo, register_phase,
};
use serde_json::{Value, json};

struct ImageBuild;

/// One `buildImageOz` call, as `koji image-build` makes it.
struct Request {
    params: Value,
    formats: Vec<String>,
    arches: Vec<String>,
    subvariant: String,
    failable: bool,
}

impl Phase for ImageBuild {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let config = Config::read(
            ctx,
            &["image_build", "failable_deliverables", "translate_paths"],
        )?;
        let settings = Settings::read(ctx, "image_build")?;
        let compose = ctx.mount_path(&MountRole::Compose)?;
        let logs = ctx.mount_path(&MountRole::Logs)?;
        let runner = Runner::connect(logs.clone())?;
        let mut batch = Batch::new(&runner);
        for variant in &info.variants {
            for block in config.variant_blocks("image_build", &variant.uid)? {
                let Some(request) = request(&info, &config, &settings, variant, &block)? else {
                    continue;
                };
                let deliverable = Deliverable {
                    variant: variant.uid.clone(),
                    arches: request.arches.clone(),
                    kind: "image-build",
                    subvariant: request.subvariant.clone(),
                    failable: request.failable,
                };
                let compose = compose.clone();
                let variant_uid = variant.uid.clone();
                let (formats, arches, subvariant) =
                    (request.formats, request.arches, request.subvariant);
                batch.submit(
                    deliverable,
                    "buildImageOz",
                    request.params,
                    Box::new(move |runner, task| {
                        let mut placed: Vec<Placed> = Vec::new();
                        for output in &task.outputs {
                            let Some((format, ext, arch)) =
                                formats::classify(&output.filename, &formats, &arches)
                            else {
                                continue;
                            };
                            let kind = Kind {
                                kind: format.to_owned(),
                                format: ext.to_owned(),
                                bootable: false,
                            };
                            let relative =
                                format!("{variant_uid}/{arch}/images/{}", output.filename);
                            let target = Target {
                                compose: &compose,
                                variant: &variant_uid,
                                subvariant: &subvariant,
                            };
                            placed.push(images::fetch(
                                runner,
                                task.id,
                                &output.filename,
                                &target,
                                &relative,
                                &arch,
                                &kind,
                            )?);
                        }
                        Ok(placed)
                    }),
                );
            }
        }
        batch
            .finish(ctx)?
            .record_images(ctx, "images", "image-build tasks")
    }
}

/// The `buildImageOz` call of one block, or `None` when none of its arches is built.
fn request(
    info: &ComposeInfo,
    config: &Config,
    settings: &Settings,
    variant: &VariantInfo,
    block: &Block,
) -> Result<Option<Request>, PhaseError> {
    let where_ = format!("image_build of {}", variant.uid);
    let at = |e: PhaseError| PhaseError::config(format!("{where_}: {}", e.message));
    let ib = match block.get("image-build") {
        Some(Value::Object(ib)) => ib,
        _ => {
            return Err(PhaseError::config(format!(
                "{where_}: no `image-build` dict"
            )));
        }
    };
    let arches = blocks::arches(ib, variant).map_err(at)?;
    if arches.is_empty() {
        return Ok(None);
    }
    let formats = image_formats(ib).map_err(at)?;
    for format in &formats {
        formats::extensions(format).map_err(|e| PhaseError::config(format!("{where_}: {e}")))?;
    }
    let kickstart = blocks::string(ib, "kickstart")
        .map_err(at)?
        .ok_or_else(|| PhaseError::config(format!("{where_}: `kickstart` is required")))?;
    let name = blocks::string(ib, "name")
        .map_err(at)?
        .unwrap_or_else(|| format!("{}-{}", info.release_short, variant.uid));
    let tree_from = blocks::string(ib, "install_tree_from")
        .map_err(at)?
        .unwrap_or_else(|| variant.uid.clone());
    let install_tree = tree_url(config, &info.id, &tree_from, "$arch")?;
    let mut repos = vec![tree_url(config, &info.id, &variant.uid, "$arch")?];
    for repo in blocks::strings(ib, "repo").map_err(at)? {
        repos.push(if info.variants.iter().any(|v| v.uid == repo) {
            tree_url(config, &info.id, &repo, "$arch")?
        } else {
            repo
        });
    }
    let failable = is_failable(config, ib, "image-build", &variant.uid, &arches).map_err(at)?;
    let mut opts = serde_json::Map::new();
    opts.insert("format".into(), json!(formats));
    opts.insert("kickstart".into(), json!(kickstart));
    opts.insert("repo".into(), json!(repos));
    if let Some(ksurl) = settings.string(ib, "ksurl").map_err(at)? {
        opts.insert("ksurl".into(), json!(ksurl));
    }
    if let Some(release) = settings.release(ib).map_err(at)? {
        opts.insert("release".into(), json!(release));
    }
    if let Some(distro) = blocks::string(ib, "distro").map_err(at)? {
        opts.insert("distro".into(), json!(distro));
    }
    if let Some(size) = ib.get("disc_size").filter(|v| !v.is_null()) {
        opts.insert("disk_size".into(), json!(size.to_string()));
    }
    if let Some(Value::Object(factory)) = block.get("factory-parameters") {
        let pairs: Vec<Value> = factory
            .iter()
            .map(|(k, v)| json!([k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)]))
            .collect();
        opts.insert("factory_parameter".into(), Value::Array(pairs));
    }
    let failable_arches: Vec<String> = blocks::strings(ib, "failable").map_err(at)?;
    if !failable_arches.is_empty() {
        opts.insert("optional_arches".into(), json!(failable_arches));
    }
    let params = json!([
        name,
        settings.version(ib).map_err(at)?,
        arches,
        settings.target(ib).map_err(at)?,
        install_tree,
        Value::Object(opts),
    ]);
    Ok(Some(Request {
        params,
        formats,
        arches,
        subvariant: blocks::string(ib, "subvariant")
            .map_err(at)?
            .unwrap_or_else(|| variant.uid.clone()),
        failable,
    }))
}

/// `format`: a format or a list of them; the old `[(format, extension)]` pairs give
/// their first element.
fn image_formats(ib: &Block) -> Result<Vec<String>, PhaseError> {
    let list = match ib.get("format") {
        None | Some(Value::Null) => {
            return Err(PhaseError::config(
                "`format` is required (e.g. [\"qcow2\"])",
            ));
        }
        Some(Value::Array(items)) => items.clone(),
        Some(single) => vec![single.clone()],
    };
    list.iter()
        .map(|item| match item {
            Value::String(s) => Ok(s.clone()),
            Value::Array(pair) if pair.first().is_some_and(Value::is_string) => {
                Ok(pair[0].as_str().unwrap_or_default().to_owned())
            }
            other => Err(PhaseError::config(format!(
                "`format`: expected format names, found {other}"
            ))),
        })
        .collect()
}

register_phase!(ImageBuild);
