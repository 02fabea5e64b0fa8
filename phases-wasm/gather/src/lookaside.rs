//! `gather_lookaside_repos`: repositories whose packages satisfy dependencies but are
//! never shipped (a layered product gathered against the base OS it installs on). The
//! host mounts the i-th repository of `pungi_config::lookaside_repos` read-only at
//! `/lookaside/<i>`; their packages join a variant's package set after the compose's own,
//! so a position past the package set's list is a lookaside package.

use std::path::Path;

use pungi_phase_sdk::{Context, PhaseError, log};
use pungi_repodata::arch::usable_on;
use pungi_repodata::{Package, ReadOptions, read_repo};

use crate::options::GatherOptions;

/// Every lookaside repository of the compose, as the host numbers them.
pub struct LookasideRepos {
    all: Vec<String>,
}

impl LookasideRepos {
    pub fn read(ctx: &Context) -> Result<Self, PhaseError> {
        let option = ctx.option::<serde_json::Value>("gather_lookaside_repos")?;
        Ok(LookasideRepos {
            all: pungi_config::lookaside_repos(option.as_ref()),
        })
    }

    /// The mount numbers of the repositories `variant` resolves against on `arch`.
    pub fn of(
        &self,
        options: &GatherOptions,
        arch: &str,
        variant: &str,
    ) -> Result<Vec<usize>, PhaseError> {
        let mut numbers = Vec::new();
        for repo in options.names("gather_lookaside_repos", arch, variant)? {
            let number = self.all.binary_search(&repo).map_err(|_| {
                PhaseError::internal(format!("gather_lookaside_repos: {repo} was not mounted"))
            })?;
            if !numbers.contains(&number) {
                numbers.push(number);
            }
        }
        Ok(numbers)
    }

    /// The binary packages of repository `number` usable on `arch`, with full file
    /// lists (file dependencies may name any path).
    pub fn packages(&self, number: usize, arch: &str) -> Result<Vec<Package>, PhaseError> {
        let dir = format!("/lookaside/{number}");
        let options = ReadOptions {
            filelists: true,
            changelogs: false,
        };
        let packages = read_repo(Path::new(&dir), &options).map_err(|e| {
            PhaseError::input(format!(
                "gather_lookaside_repos: {} (at {dir}): {e}",
                self.all[number]
            ))
        })?;
        let usable: Vec<Package> = packages
            .into_iter()
            .filter(|p| !p.is_source() && usable_on(&p.arch, arch))
            .collect();
        log::info(format!(
            "{arch}: {} lookaside packages from {}",
            usable.len(),
            self.all[number]
        ));
        Ok(usable)
    }
}
