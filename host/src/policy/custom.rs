//! The grant of a custom phase (a third-party component of `custom_phases`): what its
//! entry asks for, and only when the user's `--policy` file approves at least that much
//! in a `[phase.<name>]` section. The stock policy approves no custom phase (default
//! deny). The phase gets what it asked for, never more, even when the approval is wider.

use anyhow::bail;

use super::restricted::wider_than;
use super::{PhasePolicy, Policy};

/// Makes `requested` the section of custom phase `name` in `policy`, when the policy's
/// own section for it approves all of it; `approval` is the policy section that would
/// (named in the refusal, for the user to add).
pub fn grant_custom(
    policy: &mut Policy,
    name: &str,
    requested: &PhasePolicy,
    approval: &str,
) -> anyhow::Result<()> {
    let Some(approved) = policy.phase.get(name) else {
        bail!(
            "custom phase `{name}` is refused: the policy has no [phase.{name}] section, and a phase the policy does not name gets nothing. To approve what it asks for, add to your --policy file:\n\n{approval}"
        );
    };
    let wider = wider_than(
        (requested, &policy.defaults),
        (approved, &policy.defaults),
        &format!("by [phase.{name}] of the policy"),
    );
    if !wider.is_empty() {
        bail!(
            "custom phase `{name}` is refused: it asks for more than the policy approves:\n  {}\nTo approve it, make [phase.{name}] in your --policy file grant at least:\n\n{approval}",
            wider.join("\n  ")
        );
    }
    policy.phase.insert(name.to_owned(), requested.clone());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Access, Location};

    #[test]
    fn a_custom_phase_gets_what_it_asks_within_its_approval_and_nothing_without_one() {
        let mut requested = PhasePolicy::default();
        requested.dirs.insert(Location::Compose, Access::ReadOnly);
        requested.metadata_read.push("gather".into());
        let mut policy = Policy::stock();
        let refused = grant_custom(&mut policy, "sbom", &requested, "[phase.sbom]")
            .unwrap_err()
            .to_string();
        assert!(refused.contains("no [phase.sbom] section"), "{refused}");

        let mut approved = requested.clone();
        approved.dirs.insert(Location::Work, Access::ReadWrite);
        policy.phase.insert("sbom".into(), approved);
        grant_custom(&mut policy, "sbom", &requested, "").unwrap();
        assert!(!policy.for_phase("sbom").dirs.contains_key(&Location::Work));

        requested.dirs.insert(Location::Compose, Access::ReadWrite);
        let wider = grant_custom(&mut policy, "sbom", &requested, "")
            .unwrap_err()
            .to_string();
        assert!(
            wider.contains("directory Compose is read-only by [phase.sbom]"),
            "{wider}"
        );
    }
}
