//! The one place where a phase's grant is decided.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::capabilities::koji::{KojiGrant, KojiHub};

use super::{Access, Grant, Limits, Location, MountGrant, MountRole, Policy};

/// A package repository of the compose config, resolved to a real directory.
#[derive(Debug, Clone)]
pub struct RepoLocation {
    pub arch: String,
    pub index: u32,
    /// As written in the config, for messages.
    pub source: String,
    pub path: PathBuf,
}

/// The real directories behind each grantable location of one compose.
#[derive(Debug, Clone)]
pub struct Locations {
    /// The compose directory; `mounts` of a policy are relative to it.
    pub topdir: PathBuf,
    pub config: PathBuf,
    pub compose: PathBuf,
    pub work: PathBuf,
    pub logs: PathBuf,
    pub repos: Vec<RepoLocation>,
    /// The `--old-composes` directories, in command-line order.
    pub old_composes: Vec<PathBuf>,
    /// The `gather_lookaside_repos` repositories, in the order of
    /// `pungi_config::lookaside_repos`.
    pub lookaside: Vec<RepoLocation>,
    /// The compose's Koji hub, when it uses one.
    pub koji: Option<Arc<KojiHub>>,
}

/// The grant of `phase` under `policy` for a compose at `locations`: exactly the
/// directories, documents and commands its policy section names, with its limits.
pub fn grant_for(policy: &Policy, phase: &str, locations: &Locations) -> Grant {
    let section = policy.for_phase(phase);
    let mut mounts = Vec::new();
    for (&location, &access) in &section.dirs {
        let writable = access == Access::ReadWrite;
        let mut fixed = |guest: &str, host: &PathBuf, role: MountRole| {
            mounts.push(MountGrant {
                guest: guest.to_owned(),
                host: host.clone(),
                writable,
                role,
                pinned: None,
            })
        };
        match location {
            Location::Config => fixed("/config", &locations.config, MountRole::Config),
            Location::Compose => fixed("/compose", &locations.compose, MountRole::Compose),
            Location::Work => fixed("/work", &locations.work, MountRole::Work),
            // Its own log directory: the host's logs (`logs/global`, the audit log among
            // them) and other phases' are out of its reach.
            Location::Logs => fixed("/logs", &locations.logs.join(phase), MountRole::Logs),
            Location::Repos => mounts.extend(locations.repos.iter().map(|repo| MountGrant {
                guest: format!("/repos/{}/{}", repo.arch, repo.index),
                host: repo.path.clone(),
                writable,
                role: MountRole::PackageRepo {
                    arch: repo.arch.clone(),
                    index: repo.index,
                    source: repo.source.clone(),
                },
                pinned: None,
            })),
            // Earlier composes are evidence, never output: read-only whatever the policy says.
            Location::OldComposes => {
                mounts.extend(locations.old_composes.iter().enumerate().map(|(i, dir)| {
                    MountGrant {
                        guest: format!("/old-composes/{i}"),
                        host: dir.clone(),
                        writable: false,
                        role: MountRole::OldComposes {
                            index: i as u32,
                            source: dir.display().to_string(),
                        },
                        pinned: None,
                    }
                }))
            }
            // Repositories to resolve against, never to change.
            Location::Lookaside => {
                mounts.extend(locations.lookaside.iter().map(|repo| MountGrant {
                    guest: format!("/lookaside/{}", repo.index),
                    host: repo.path.clone(),
                    writable: false,
                    role: MountRole::Lookaside {
                        index: repo.index,
                        source: repo.source.clone(),
                    },
                    pinned: None,
                }))
            }
        }
    }
    mounts.extend(section.mounts.iter().map(|m| MountGrant {
        guest: m.guest.clone(),
        host: locations.topdir.join(&m.path),
        writable: m.mode == Access::ReadWrite,
        role: role_of(&m.path),
        pinned: None,
    }));
    let defaults = &policy.defaults;
    Grant {
        phase: phase.to_owned(),
        mounts,
        commands: section.commands.into_iter().collect(),
        command_args: section
            .command
            .into_iter()
            .map(|c| (c.program, c.args))
            .collect(),
        metadata_read: section.metadata_read.into_iter().collect(),
        metadata_write: section.metadata_write.into_iter().collect(),
        command_env: section.command_env.into_iter().collect(),
        hardlink_read_only: section.hardlink_read_only,
        unjailed: section.jail == Some(false),
        koji: KojiGrant {
            methods: section.koji_methods.into_iter().collect(),
            runroot: section.koji_runroot,
            hub: locations.koji.clone(),
        },
        limits: Limits {
            memory_bytes: section.memory_mib.unwrap_or(defaults.memory_mib) << 20,
            time: Duration::from_secs(section.time_seconds.unwrap_or(defaults.time_seconds)),
            output_bytes: section.output_kib.unwrap_or(defaults.output_kib) << 10,
        },
    }
}

/// The role of a compose-relative directory, by its top-level folder.
fn role_of(path: &str) -> MountRole {
    match path.split('/').next() {
        Some("work") => MountRole::Work,
        Some("logs") => MountRole::Logs,
        _ => MountRole::Compose,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PhasePolicy;

    fn locations() -> Locations {
        Locations {
            topdir: "/t".into(),
            config: "/c".into(),
            compose: "/t/compose".into(),
            work: "/t/work".into(),
            logs: "/t/logs".into(),
            repos: vec![RepoLocation {
                arch: "x86_64".into(),
                index: 0,
                source: "repos/x86_64".into(),
                path: "/r/x86_64".into(),
            }],
            old_composes: Vec::new(),
            lookaside: Vec::new(),
            koji: None,
        }
    }

    #[test]
    fn grants_exactly_the_policy_section() {
        let grant = grant_for(&Policy::stock(), "gather", &locations());
        let guests: Vec<_> = grant
            .mounts
            .iter()
            .map(|m| (m.guest.as_str(), m.writable))
            .collect();
        assert_eq!(
            guests,
            vec![
                ("/config", false),
                ("/repos/x86_64/0", false),
                ("/compose", true),
                ("/work", true)
            ]
        );
        assert!(grant.commands.is_empty());
        assert!(grant.metadata_read.contains("pkgset_index"));
        assert_eq!(grant.limits.memory_bytes, 4096 << 20);
    }

    #[test]
    fn old_composes_are_mounted_read_only_by_index() {
        let mut policy = Policy::stock();
        let mut section = PhasePolicy::default();
        section
            .dirs
            .insert(Location::OldComposes, Access::ReadWrite);
        policy.phase.insert("diff".into(), section);
        let mut locations = locations();
        locations.old_composes = vec!["/old/a".into(), "/old/b".into()];
        let grant = grant_for(&policy, "diff", &locations);
        let mounts: Vec<_> = grant
            .mounts
            .iter()
            .map(|m| (m.guest.as_str(), m.host.to_str().unwrap(), m.writable))
            .collect();
        assert_eq!(
            mounts,
            vec![
                ("/old-composes/0", "/old/a", false),
                ("/old-composes/1", "/old/b", false)
            ]
        );
    }

    #[test]
    fn unknown_phase_gets_nothing() {
        let grant = grant_for(&Policy::stock(), "custom", &locations());
        assert!(grant.mounts.is_empty() && grant.metadata_read.is_empty());
    }
}
