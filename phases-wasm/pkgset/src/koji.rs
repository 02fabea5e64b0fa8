//! The packages of a Koji tag (`pkgset_koji_tag`), as Pungi takes them: the latest build of
//! each package at a fixed event (`koji_event`, else the hub's last event), through
//! inheritance unless `pkgset_koji_inherit = False`, each RPM in the first copy that
//! `sigkeys` accepts (a key, or `None` for unsigned). The host places every RPM under
//! `work/` verified against the hub's checksums, from the hub's topdir when it is mounted
//! on the host, else downloaded from its topurl.

use std::collections::BTreeSet;

use pungi_documents::PkgsetPackage;
use pungi_phase_sdk::koji::{BuildInfo, RpmCopy, RpmInfo};
use pungi_phase_sdk::{Context, Koji, MountRole, PhaseError, Progress, log};
use serde::Deserialize;

use crate::read_package;
use crate::sigkeys::Sigkeys;
use crate::sorter::Sorter;

/// `pkgset_koji_tag`: one tag or several.
#[derive(Deserialize)]
#[serde(untagged)]
enum Tags {
    One(String),
    Many(Vec<String>),
}

/// Adds the packages of the configured tag(s); returns what they were, for the summary.
pub fn collect(
    ctx: &Context,
    sigkeys: &Sigkeys,
    sorter: &mut Sorter,
) -> Result<String, PhaseError> {
    let Some((koji, hub)) = Koji::connect() else {
        return Err(PhaseError::config(
            "pkgset_source = \"koji\" but the compose configures no koji hub (koji_profile)",
        ));
    };
    let tags = match ctx.option::<Tags>("pkgset_koji_tag")? {
        Some(Tags::One(tag)) => vec![tag],
        Some(Tags::Many(tags)) if !tags.is_empty() => tags,
        _ => {
            return Err(PhaseError::config(
                "pkgset_source = \"koji\" needs pkgset_koji_tag",
            ));
        }
    };
    let inherit: bool = ctx.option_or("pkgset_koji_inherit", true)?;
    let sigkeys = sigkeys.keys();
    let event = match ctx.option::<u64>("koji_event")? {
        Some(event) => event,
        None => koji.last_event()?.id,
    };
    log::info(format!(
        "koji {}: tags {tags:?} at event {event}, inherit {inherit}, sigkeys {sigkeys:?}",
        hub.server
    ));
    let builds = latest_builds(&koji, &tags, event, inherit)?;
    // Every arch: the sorter keeps what each compose arch can use (multilib included).
    let rpms = koji.rpms(&builds.iter().map(|b| b.id).collect::<Vec<_>>(), &[])?;
    let ids: Vec<u64> = rpms.iter().map(|r| r.id).collect();
    let copies = koji.copies(&ids)?;
    let chosen = choose_copies(&rpms, &copies, sigkeys)?;
    let work = ctx.mount_path(&MountRole::Work)?;
    let progress = Progress::begin(rpms.len() as u64, "fetching RPMs from koji");
    let mut fetched = 0u64;
    for (rpm, sigkey) in rpms.iter().zip(chosen) {
        let file = format!(
            "{}-{}-{}.{}.rpm",
            rpm.name, rpm.version, rpm.release, rpm.arch
        );
        let destination = format!("{work}/pkgset/koji/{}/{file}", rpm.arch);
        let placed = koji.download_rpm(rpm, sigkey.as_deref(), &destination)?;
        fetched += placed.size;
        let package = read_package(ctx, &placed.path, file, Some(placed.sha256))?;
        sorter.add(PkgsetPackage {
            path: placed.path,
            sigkey,
            package,
        });
        progress.advance(1);
    }
    progress.finish("done");
    Ok(format!(
        "{} builds of koji tag {} at event {event} ({} RPMs, {} MiB)",
        builds.len(),
        tags.join(", "),
        rpms.len(),
        fetched >> 20
    ))
}

/// The latest build of each package over `tags`, the first tag naming a package winning.
fn latest_builds(
    koji: &Koji,
    tags: &[String],
    event: u64,
    inherit: bool,
) -> Result<Vec<BuildInfo>, PhaseError> {
    let mut seen = BTreeSet::new();
    let mut builds = Vec::new();
    for tag in tags {
        koji.tag(tag, Some(event))?;
        for build in koji.tagged(tag, Some(event), inherit, true)? {
            if seen.insert(build.package_name.clone()) {
                builds.push(build);
            }
        }
    }
    Ok(builds)
}

/// For each RPM, the first of `sigkeys` it has a copy for (`None` = the unsigned copy);
/// an RPM with none is an error naming it, as in Pungi.
fn choose_copies(
    rpms: &[RpmInfo],
    copies: &[Vec<RpmCopy>],
    sigkeys: &[Option<String>],
) -> Result<Vec<Option<String>>, PhaseError> {
    let mut chosen = Vec::with_capacity(rpms.len());
    let mut missing = Vec::new();
    for (rpm, copies) in rpms.iter().zip(copies) {
        let found = sigkeys.iter().find(|key| {
            let want = key.as_deref().unwrap_or_default();
            copies.iter().any(|c| c.sigkey.eq_ignore_ascii_case(want))
        });
        match found {
            Some(key) => chosen.push(key.clone()),
            None => missing.push(format!(
                "{}-{}-{}.{}",
                rpm.name, rpm.version, rpm.release, rpm.arch
            )),
        }
    }
    if !missing.is_empty() {
        let shown: Vec<_> = missing.iter().take(10).cloned().collect();
        return Err(PhaseError::input(format!(
            "{} RPM(s) have no copy signed with any of sigkeys {sigkeys:?}: {}{}",
            missing.len(),
            shown.join(", "),
            if missing.len() > 10 { ", ..." } else { "" }
        )));
    }
    Ok(chosen)
}
