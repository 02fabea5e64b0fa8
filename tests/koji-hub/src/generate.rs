//! Hub states to serve: the fixture demo distribution as Koji builds with real RPMs in a
//! topdir tree, and a synthetic tag of any size (metadata only) for load measurements.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use md5::Md5;
use sha2::{Digest, Sha256};

use crate::state::{Build, Event, Rpm, State, Tag, Tagging, rpm_path};

/// The key the demo's "signed" copies are filed under. The fixture RPMs carry no real
/// signature: the copies are byte-identical, filed where Koji files signed copies.
pub const DEMO_SIGKEY: &str = "a1b2c3d4";
/// The parent tag (half the builds) and the compose tag (the other half, inheriting).
pub const DEMO_BASE_TAG: &str = "demo-base";
pub const DEMO_TAG: &str = "demo-1.0";

/// What [`write_demo_hub`] wrote.
pub struct DemoHub {
    /// The fixture demo input (config, comps, variants, plain repos).
    pub input: PathBuf,
    pub state: PathBuf,
    pub topdir: PathBuf,
}

/// Writes the fixture demo into `out/input`, and as a hub: `out/koji/state.json` and the
/// topdir `out/koji/topdir` with unsigned and signed copies of every RPM.
pub fn write_demo_hub(out: &Path) -> anyhow::Result<DemoHub> {
    let input = out.join("input");
    let demo = pungi_fixtures::write_demo(&input)?;
    let topdir = out.join("koji/topdir");
    let mut state = State {
        events: (1..=3)
            .map(|id| Event {
                id,
                ts: 1_790_000_000.0 + id as f64 * 3600.0,
            })
            .collect(),
        tags: vec![
            Tag {
                id: 1,
                name: DEMO_BASE_TAG.into(),
                arches: "x86_64 aarch64".into(),
                locked: false,
                parents: vec![],
            },
            Tag {
                id: 2,
                name: DEMO_TAG.into(),
                arches: "x86_64 aarch64".into(),
                locked: false,
                parents: vec![1],
            },
        ],
        ..State::default()
    };
    let mut by_srpm: BTreeMap<String, usize> = BTreeMap::new();
    for src in demo.packages.iter().filter(|p| p.arch == "src") {
        let file = src
            .path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        by_srpm.insert(file, state.builds.len());
        state.builds.push(Build {
            id: state.builds.len() as i64 + 1,
            name: src.name.clone(),
            version: src.version.clone(),
            release: src.release.clone(),
            epoch: src.epoch.map(i64::from),
            owner: "demo".into(),
            creation_event: 1,
            rpms: Vec::new(),
        });
    }
    let mut next_rpm = 1;
    for package in &demo.packages {
        let srpm = match &package.sourcerpm {
            Some(s) => s.clone(),
            None => package
                .path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
        };
        let index = *by_srpm
            .get(&srpm)
            .with_context(|| format!("{}: no source package {srpm}", package.path.display()))?;
        let build = &mut state.builds[index];
        if build
            .rpms
            .iter()
            .any(|r| r.name == package.name && r.arch == package.arch)
        {
            continue; // a noarch package written into several arch repos
        }
        let bytes = std::fs::read(&package.path)
            .with_context(|| format!("reading {}", package.path.display()))?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let rpm = Rpm {
            id: next_rpm,
            name: package.name.clone(),
            arch: package.arch.clone(),
            size: bytes.len() as i64,
            payloadhash: hex::encode(Md5::digest(&bytes)),
            sha256: sha256.clone(),
            sigs: BTreeMap::from([(DEMO_SIGKEY.to_owned(), sha256)]),
        };
        next_rpm += 1;
        for key in [None, Some(DEMO_SIGKEY)] {
            let path = topdir.join(rpm_path(build, &rpm, key));
            std::fs::create_dir_all(path.parent().expect("a file path"))?;
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        }
        build.rpms.push(rpm);
    }
    for (i, build) in state.builds.iter().enumerate() {
        let (tag, event) = if i % 2 == 0 { (1, 2) } else { (2, 3) };
        state.tagged.push(Tagging {
            tag,
            build: build.id,
            event,
            revoked: None,
        });
    }
    let path = out.join("koji/state.json");
    std::fs::write(&path, serde_json::to_string_pretty(&state)?)?;
    Ok(DemoHub {
        input,
        state: path,
        topdir,
    })
}

/// A state with one tag `big` of about `rpms` RPMs (7 per build: a source and three
/// binaries on two arches), metadata only: for measuring how fast a tag loads.
pub fn synthetic(rpms: usize) -> State {
    let builds = rpms.div_ceil(7);
    let mut state = State {
        events: vec![Event { id: 1, ts: 1.0 }, Event { id: 2, ts: 2.0 }],
        tags: vec![Tag {
            id: 1,
            name: "big".into(),
            arches: "x86_64 aarch64".into(),
            locked: false,
            parents: vec![],
        }],
        ..State::default()
    };
    let mut next = 1;
    for b in 0..builds {
        let name = format!("pkg{b:05}");
        let mut rpm_list = Vec::new();
        let mut add = |rpm_name: String, arch: &str| {
            let digest = hex::encode(Sha256::digest(format!("{rpm_name}.{arch}")));
            rpm_list.push(Rpm {
                id: next,
                name: rpm_name,
                arch: arch.into(),
                size: 10_000 + (next % 5000),
                payloadhash: digest[..32].to_owned(),
                sha256: digest.clone(),
                sigs: BTreeMap::from([(DEMO_SIGKEY.to_owned(), digest)]),
            });
            next += 1;
        };
        add(name.clone(), "src");
        for sub in ["", "-libs", "-devel"] {
            for arch in ["x86_64", "aarch64"] {
                add(format!("{name}{sub}"), arch);
            }
        }
        state.builds.push(Build {
            id: b as i64 + 1,
            name,
            version: "1.0".into(),
            release: "1".into(),
            epoch: None,
            owner: "synth".into(),
            creation_event: 1,
            rpms: rpm_list,
        });
        state.tagged.push(Tagging {
            tag: 1,
            build: b as i64 + 1,
            event: 2,
            revoked: None,
        });
    }
    state
}
