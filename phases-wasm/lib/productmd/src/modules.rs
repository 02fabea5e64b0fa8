//! `modules.json`: the modules of each variant.arch (productmd's `Modules`). Pungi
//! writes it into every compose, empty when the compose has no modules, and so do we:
//! this build composes no modules yet, so `modules` is always empty.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Compose, Header};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Modules {
    pub header: Header,
    pub payload: ModulesPayload,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModulesPayload {
    pub compose: Compose,
    /// variant UID -> arch -> module UID -> its record, as productmd nests them.
    pub modules: BTreeMap<String, BTreeMap<String, BTreeMap<String, serde_json::Value>>>,
}

impl Modules {
    /// A `modules.json` of `compose` listing no modules.
    pub fn empty(compose: Compose) -> Self {
        Modules {
            header: Header::new("productmd.modules"),
            payload: ModulesPayload {
                compose,
                modules: BTreeMap::new(),
            },
        }
    }
}
