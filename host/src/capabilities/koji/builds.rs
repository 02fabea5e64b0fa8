//! The builds a compose has already asked the hub about, by id. `download-rpm` needs of
//! a build only its name, version and release, to find an RPM's path; Koji never changes
//! them once the build exists (an NVR is never reused), so the RPMs of one build cost one
//! `getBuild`, not one each. Checksums are never kept: every download asks for them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::error::KojiError;
use super::model::Build;

#[derive(Default)]
pub struct Builds {
    known: Mutex<HashMap<u64, Arc<Build>>>,
}

impl Builds {
    /// Build `id` as the hub said it, asking with `ask` the first time.
    pub fn get(
        &self,
        id: u64,
        ask: impl FnOnce() -> Result<Build, KojiError>,
    ) -> Result<Arc<Build>, KojiError> {
        let lock = || self.known.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(build) = lock().get(&id) {
            return Ok(build.clone());
        }
        let build = Arc::new(ask()?);
        if build.id != id {
            return Err(KojiError::Invalid(format!(
                "asked the hub for build {id}, it answered build {}",
                build.id
            )));
        }
        lock().insert(id, build.clone());
        Ok(build)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(id: u64) -> Build {
        Build {
            id,
            package_name: "bash".into(),
            version: "5.2".into(),
            release: "1".into(),
            epoch: None,
            nvr: "bash-5.2-1".into(),
            state: 1,
            owner: "o".into(),
            task_id: None,
            tag_name: None,
        }
    }

    #[test]
    fn each_build_is_asked_for_once_and_must_be_the_one_asked() {
        let builds = Builds::default();
        let asked = std::cell::Cell::new(0);
        for _ in 0..3 {
            let got = builds.get(7, || {
                asked.set(asked.get() + 1);
                Ok(build(7))
            });
            assert_eq!(got.unwrap().nvr, "bash-5.2-1");
        }
        assert_eq!(asked.get(), 1);
        let err = builds.get(8, || Ok(build(9))).unwrap_err();
        assert!(matches!(err, KojiError::Invalid(_)), "{err}");
        assert!(
            builds
                .get(8, || Err(KojiError::NotFound("8".into())))
                .is_err()
        );
    }
}
