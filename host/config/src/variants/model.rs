//! The variant tree as data, serialisable so the host can pass it to phases as JSON.

use pungi_comps::{EnvironmentSelector, GroupSelector};
use serde::{Deserialize, Serialize};

/// What kind of variant this is; it decides nesting rules and output layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VariantKind {
    /// A top-level (or nested) product variant; the only kind that has children.
    Variant,
    /// An addon repository inside a variant.
    Addon,
    /// The optional repository of a variant.
    Optional,
    /// A separately released product on top of a variant.
    LayeredProduct,
}

impl VariantKind {
    /// The spelling in variants XML.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Variant => "variant",
            Self::Addon => "addon",
            Self::Optional => "optional",
            Self::LayeredProduct => "layered-product",
        }
    }

    /// Parses the spelling in variants XML.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Variant,
            Self::Addon,
            Self::Optional,
            Self::LayeredProduct,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

/// The `<release>` of a layered product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// Product name.
    pub name: String,
    /// Product version.
    pub version: String,
    /// Product short name.
    pub short: String,
}

/// A `<module>` of a modular variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Module {
    /// Module name (`name:stream...`), or a pattern when `glob` is set.
    pub name: String,
    /// Treat `name` as a shell pattern.
    pub glob: bool,
}

/// Build options of a variant (`<buildopts>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildOpts {
    /// Arches for which the variant is built multilib (`<multilib_arch>`).
    pub multilib_arches: Vec<String>,
}

/// One variant with its children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// Unique id in the compose: `Parent-child` for nested variants, as Pungi forms it.
    pub uid: String,
    /// Id as written in the XML.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Kind of variant.
    pub kind: VariantKind,
    /// Arches, sorted; for children, those shared with the parent (as Pungi does).
    pub arches: Vec<String>,
    /// Uid of the parent variant.
    pub parent: Option<String>,
    /// Comps groups of the variant, sorted by name as Pungi sorts them.
    pub groups: Vec<GroupSelector>,
    /// Comps environments of the variant, sorted by name.
    pub environments: Vec<EnvironmentSelector>,
    /// Modules, `None` when the variant is not modular (an empty `<modules>` is modular).
    pub modules: Option<Vec<Module>>,
    /// Koji tags holding modules (`<kojitag>` inside `<modules>`).
    pub modular_koji_tags: Option<Vec<String>>,
    /// Extra packages for buildinstall.
    pub buildinstallpackages: Vec<String>,
    /// Build options.
    pub buildopts: BuildOpts,
    /// The variant is deliberately empty (no packages expected).
    pub is_empty: bool,
    /// Release of a layered product.
    pub release: Option<Release>,
    /// Child variants: nested ones in document order, then a generated optional, then
    /// referenced addons, as Pungi orders them.
    pub children: Vec<Variant>,
}

/// All top-level variants of a variants file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variants {
    /// Top-level variants in document order.
    pub variants: Vec<Variant>,
}

impl Variants {
    /// Every variant, each parent before its children.
    pub fn iter(&self) -> impl Iterator<Item = &Variant> {
        let mut stack: Vec<&Variant> = self.variants.iter().rev().collect();
        std::iter::from_fn(move || {
            let next = stack.pop()?;
            stack.extend(next.children.iter().rev());
            Some(next)
        })
    }

    /// The variant with uid `uid`.
    pub fn get(&self, uid: &str) -> Option<&Variant> {
        self.iter().find(|variant| variant.uid == uid)
    }
}
