//! `--restricted`: a compose that refuses any phase whose grant is wider than the stock
//! least-privilege one, so a policy file can only narrow what phases get.

use super::{Access, Defaults, PhasePolicy, Policy};

/// Every way `phase`'s section in `policy` grants more than in `stock`; empty when it
/// grants no more.
pub fn widenings(policy: &Policy, stock: &Policy, phase: &str) -> Vec<String> {
    wider_than(
        (&policy.for_phase(phase), &policy.defaults),
        (&stock.for_phase(phase), &stock.defaults),
        "by default",
    )
}

/// Every way the section `ours` (with its defaults) grants more than `base`; `baseline`
/// says where `base` comes from, for the messages ("by default").
pub fn wider_than(
    (ours, d): (&PhasePolicy, &Defaults),
    (base, s): (&PhasePolicy, &Defaults),
    baseline: &str,
) -> Vec<String> {
    let mut wider = Vec::new();
    for (location, access) in &ours.dirs {
        match (base.dirs.get(location), access) {
            (None, _) => wider.push(format!("directory {location:?} is not granted {baseline}")),
            (Some(Access::ReadOnly), Access::ReadWrite) => {
                wider.push(format!("directory {location:?} is read-only {baseline}"))
            }
            _ => {}
        }
    }
    let extra = |what: &str, ours: &[String], base: &[String], wider: &mut Vec<String>| {
        for item in ours.iter().filter(|i| !base.contains(i)) {
            wider.push(format!("{what} `{item}` is not granted {baseline}"));
        }
    };
    extra("command", &ours.commands, &base.commands, &mut wider);
    extra(
        "koji method",
        &ours.koji_methods,
        &base.koji_methods,
        &mut wider,
    );
    for command in &ours.command {
        let same = base.command.contains(command) || base.commands.contains(&command.program);
        if !same {
            wider.push(format!(
                "command `{}` with {:?} is not granted {baseline}",
                command.program, command.args
            ));
        }
    }
    wider.extend(wider_runroot(ours, base, baseline));
    for mount in &ours.mounts {
        if !base.mounts.contains(mount) {
            wider.push(format!(
                "mount {:?} at {:?} is not granted {baseline}",
                mount.path, mount.guest
            ));
        }
    }
    extra(
        "environment variable",
        &ours.command_env,
        &base.command_env,
        &mut wider,
    );
    extra(
        "document (read)",
        &ours.metadata_read,
        &base.metadata_read,
        &mut wider,
    );
    extra(
        "document (write)",
        &ours.metadata_write,
        &base.metadata_write,
        &mut wider,
    );
    if ours.hardlink_read_only && !base.hardlink_read_only {
        wider.push(format!(
            "hardlinks out of read-only mounts are not granted {baseline}"
        ));
    }
    if ours.jail == Some(false) && base.jail != Some(false) {
        wider.push(format!(
            "commands outside the command jail (`jail = false`) are not granted {baseline}"
        ));
    }
    let limit =
        |name: &str, ours: Option<u64>, base: Option<u64>, default_ours: u64, default_base: u64| {
            let (o, b) = (ours.unwrap_or(default_ours), base.unwrap_or(default_base));
            (o > b).then(|| format!("{name} {o} is above the {b} granted {baseline}"))
        };
    wider.extend(limit(
        "memory-mib",
        ours.memory_mib,
        base.memory_mib,
        d.memory_mib,
        s.memory_mib,
    ));
    wider.extend(limit(
        "time-seconds",
        ours.time_seconds,
        base.time_seconds,
        d.time_seconds,
        s.time_seconds,
    ));
    wider.extend(limit(
        "output-kib",
        ours.output_kib,
        base.output_kib,
        d.output_kib,
        s.output_kib,
    ));
    wider
}

/// How `ours`'s `koji-runroot` narrowing is wider than `base`'s: present where the base
/// has none, or a channel, tag or command the base does not list.
fn wider_runroot(ours: &PhasePolicy, base: &PhasePolicy, baseline: &str) -> Vec<String> {
    let Some(ours) = &ours.koji_runroot else {
        return Vec::new();
    };
    let Some(base) = &base.koji_runroot else {
        return vec![format!("koji-runroot tasks are not granted {baseline}")];
    };
    let channels = ours.channels.iter().filter(|c| !base.channels.contains(c));
    let tags = ours.tags.iter().filter(|t| !base.tags.contains(t));
    let commands = ours.commands.iter().filter(|c| !base.commands.contains(c));
    channels
        .map(|c| format!("koji-runroot channel `{c}` is not granted {baseline}"))
        .chain(tags.map(|t| format!("koji-runroot tag `{t}` is not granted {baseline}")))
        .chain(commands.map(|c| {
            format!(
                "koji-runroot command `{}` with {:?} is not granted {baseline}",
                c.program, c.args
            )
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Location, PhasePolicy};

    #[test]
    fn stock_is_within_itself_and_every_widening_is_named() {
        let stock = Policy::stock();
        assert!(widenings(&stock, &stock, "gather").is_empty());
        let mut policy = Policy::stock();
        let mut gather: PhasePolicy = policy.for_phase("gather");
        gather.dirs.insert(Location::Repos, Access::ReadWrite);
        gather.dirs.insert(Location::Logs, Access::ReadOnly);
        gather.commands.push("sh".into());
        gather.koji_methods.push("submitTask".into());
        gather.memory_mib = Some(1 << 20);
        gather.jail = Some(false);
        policy.phase.insert("gather".into(), gather);
        let found = widenings(&policy, &stock, "gather").join("\n");
        for needle in [
            "Repos",
            "Logs",
            "`sh`",
            "`submitTask`",
            "memory-mib",
            "`jail = false`",
        ] {
            assert!(found.contains(needle), "{needle} missing in:\n{found}");
        }
        let mut narrower = Policy::stock();
        let mut init = narrower.for_phase("init");
        init.dirs.remove(&Location::Work);
        init.time_seconds = Some(10);
        narrower.phase.insert("init".into(), init);
        assert!(widenings(&narrower, &stock, "init").is_empty());
    }

    #[test]
    fn a_wider_runroot_narrowing_is_a_widening() {
        let stock = Policy::stock();
        let mut policy = Policy::stock();
        let mut ostree = policy.for_phase("ostree");
        let runroot = ostree
            .koji_runroot
            .as_mut()
            .expect("stock ostree has koji-runroot");
        runroot.channels.push("*".into());
        runroot.tags.push("f41-updates".into());
        runroot.commands.push(crate::policy::CommandPolicy {
            program: "sh".into(),
            args: vec!["-c".into(), "*".into()],
        });
        policy.phase.insert("ostree".into(), ostree);
        let mut gather = policy.for_phase("gather");
        gather.koji_runroot = stock.for_phase("ostree").koji_runroot;
        policy.phase.insert("gather".into(), gather);
        let found = widenings(&policy, &stock, "ostree").join("\n");
        for needle in ["channel `*`", "tag `f41-updates`", "command `sh`"] {
            assert!(found.contains(needle), "{needle} missing in:\n{found}");
        }
        let gather = widenings(&policy, &stock, "gather").join("\n");
        assert!(
            gather.contains("koji-runroot tasks are not granted"),
            "{gather}"
        );
        let mut narrower = Policy::stock();
        let mut ostree = narrower.for_phase("ostree");
        ostree.koji_runroot.as_mut().unwrap().channels.truncate(1);
        narrower.phase.insert("ostree".into(), ostree);
        assert!(widenings(&narrower, &stock, "ostree").is_empty());
    }
}
