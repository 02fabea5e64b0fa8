use serde::{Deserialize, Serialize};

/// productmd's current metadata format; readers refuse versions they do not know.
pub const FORMAT_VERSION: &str = "1.2";

/// The `header` object every productmd file starts with; `kind` names the file's type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    #[serde(rename = "type")]
    pub kind: String,
    pub version: String,
}

impl Header {
    /// A header of the current format for a file of type `kind` (`productmd.rpms`, ...).
    pub fn new(kind: &str) -> Self {
        Header {
            kind: kind.to_owned(),
            version: FORMAT_VERSION.to_owned(),
        }
    }
}

/// The compose identity repeated in every metadata file, so each file is self-describing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compose {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub date: String,
    pub respin: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label: Option<String>,
    /// Only written with a label, as productmd does.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub r#final: Option<bool>,
}
