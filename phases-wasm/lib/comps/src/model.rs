//! The comps document as data: what Pungi's Init phase reads, filters and writes back,
//! serialisable so phases can hand it to each other as JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A whole comps file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comps {
    /// Package groups, in file order.
    pub groups: Vec<Group>,
    /// Categories (installer group browsing), in file order.
    pub categories: Vec<Category>,
    /// Environments (installer base choices), in file order.
    pub environments: Vec<Environment>,
    /// Langpack rules, in file order.
    pub langpacks: Vec<Langpack>,
}

/// A human text with its translations: comps carries one untranslated string and any
/// number of `xml:lang` variants, and installers need both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translated {
    /// The untranslated text.
    pub text: String,
    /// Translations keyed by language tag; sorted so output is deterministic.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, String>,
}

/// A comps `<group>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Group id, what variants and kickstarts refer to.
    pub id: String,
    /// Display name.
    pub name: Translated,
    /// Display description, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Translated>,
    /// Selected by default in installers.
    pub default: bool,
    /// Shown to users in installers.
    pub uservisible: bool,
    /// Only installed on multilib (biarch) systems.
    #[serde(default)]
    pub biarchonly: bool,
    /// Language this group supports, for language-only groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub langonly: Option<String>,
    /// Installer sort key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_order: Option<i64>,
    /// Pungi extension: arches this group exists on (`arch="x86_64 aarch64"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<Vec<String>>,
    /// Pungi extension: variant uids this group exists in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<Vec<String>>,
    /// The packages of the group, in file order.
    pub packages: Vec<PackageReq>,
}

/// How strongly a group pulls a package in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageType {
    /// Always installed with the group.
    Mandatory,
    /// Installed unless deselected.
    Default,
    /// Installed only when asked for.
    Optional,
    /// Installed when the package named by `requires` is installed.
    Conditional,
}

impl PackageType {
    /// The comps spelling, as in `type="mandatory"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mandatory => "mandatory",
            Self::Default => "default",
            Self::Optional => "optional",
            Self::Conditional => "conditional",
        }
    }

    /// Parses the comps spelling.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Mandatory,
            Self::Default,
            Self::Optional,
            Self::Conditional,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

/// A `<packagereq>` of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageReq {
    /// Package name.
    pub name: String,
    /// Strength of the requirement.
    #[serde(rename = "type")]
    pub kind: PackageType,
    /// For conditional packages, the package whose presence triggers this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
    /// Only for the base arch on multilib systems.
    #[serde(default)]
    pub basearchonly: bool,
    /// Pungi extension: arches the package is wanted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<Vec<String>>,
    /// Pungi extension: variant uids the package is wanted in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<Vec<String>>,
}

/// A reference to a group from a category or environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    /// The referenced group id.
    pub id: String,
    /// Preselected in an environment's option list.
    #[serde(default)]
    pub default: bool,
    /// Pungi extension: arches the reference applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<Vec<String>>,
}

/// A comps `<category>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Category id.
    pub id: String,
    /// Display name.
    pub name: Translated,
    /// Display description, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Translated>,
    /// Installer sort key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_order: Option<i64>,
    /// Groups shown in the category.
    pub groups: Vec<GroupRef>,
}

/// A comps `<environment>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// Environment id.
    pub id: String,
    /// Display name.
    pub name: Translated,
    /// Display description, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Translated>,
    /// Installer sort key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_order: Option<i64>,
    /// Pungi extension: arches this environment exists on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<Vec<String>>,
    /// Pungi extension: variant uids this environment exists in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<Vec<String>>,
    /// Groups always installed with the environment.
    pub groups: Vec<GroupRef>,
    /// Groups offered as add-ons.
    pub options: Vec<GroupRef>,
}

/// A langpacks `<match>`: install `install` (with `%s` replaced by the language) when
/// `name` is installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Langpack {
    /// The package that triggers the langpack.
    pub name: String,
    /// Pattern of the langpack package name.
    pub install: String,
}
