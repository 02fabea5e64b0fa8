//! `gather_lookaside_repos`: repositories whose packages satisfy dependencies but are
//! never shipped (a layered product gathered against the base OS it installs on). The
//! host mounts the i-th repository of `pungi_config::lookaside_repos` read-only at
//! `/lookaside/<i>`; their packages join a variant's package set after the compose's own,
//! so a position past the package set's list is a lookaside package.

use std::path::Path;

use pungi_phase_sdk::{Context, PhaseError, log};
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

    /// The binary packages of repository `number`, every arch, with full file lists
    /// (file dependencies may name any path); each arch takes those usable on it.
    pub fn packages(&self, number: usize) -> Result<Vec<Package>, PhaseError> {
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
        let binary: Vec<Package> = packages.into_iter().filter(|p| !p.is_source()).collect();
        log::info(format!(
            "{} lookaside packages from {}",
            binary.len(),
            self.all[number]
        ));
        Ok(binary)
    }
}
