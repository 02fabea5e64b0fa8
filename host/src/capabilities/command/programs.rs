//! Programs that read configuration or run commands of their own are started with that
//! turned off where the program lets us; the jail bounds what is left (see
//! docs/security.md).
//!
//! - git: no system or global config, no hooks, no fsmonitor, only the `file` protocol
//!   (so `ext::` URLs are refused by git itself), no prompts; a phase may not pass
//!   config on the command line (`-c`, `--config-env`) or change where git finds its own
//!   programs (`--exec-path`), and the command must be a git builtin, which no alias can
//!   shadow. A `.git/config` the phase wrote in its mount can still set filters and
//!   similar: those run inside the jail.
//! - xorriso: no startup files (`-no_rc`, which must come first).

use super::super::HostError;

/// What the host adds to an invocation of one program.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Hardening {
    /// Arguments put before the phase's own.
    pub leading_args: Vec<String>,
    /// Variables set for it (the phase cannot set these: they are reserved or fixed).
    pub env: Vec<(&'static str, &'static str)>,
}

/// git's configuration that can run a program, forced off whatever a repository's
/// `.git/config` says (command-line config wins over it).
const GIT_FORCED: &[&str] = &[
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.sshCommand=false",
    "core.pager=cat",
    "core.editor=false",
    "core.askPass=false",
    "credential.helper=",
    "protocol.allow=never",
    "protocol.file.allow=always",
];

/// git's global options that would bring in configuration or programs of the phase's
/// choosing.
const GIT_REFUSED_OPTIONS: &[&str] = &["-c", "--config-env", "--exec-path"];

/// git's global options that take their value as the next argument.
const GIT_OPTIONS_WITH_VALUE: &[&str] = &["-C", "--git-dir", "--work-tree", "--namespace"];

/// The git commands a phase may run: git's builtins (an alias never shadows one).
const GIT_BUILTINS: &[&str] = &[
    "add",
    "am",
    "annotate",
    "apply",
    "archive",
    "bisect",
    "blame",
    "branch",
    "bundle",
    "cat-file",
    "check-attr",
    "check-ignore",
    "checkout",
    "checkout-index",
    "cherry",
    "cherry-pick",
    "clean",
    "clone",
    "commit",
    "commit-tree",
    "count-objects",
    "describe",
    "diff",
    "diff-files",
    "diff-index",
    "diff-tree",
    "fetch",
    "for-each-ref",
    "format-patch",
    "fsck",
    "gc",
    "grep",
    "hash-object",
    "init",
    "log",
    "ls-files",
    "ls-remote",
    "ls-tree",
    "merge",
    "merge-base",
    "mktag",
    "mktree",
    "mv",
    "name-rev",
    "notes",
    "pull",
    "read-tree",
    "rebase",
    "reflog",
    "remote",
    "repack",
    "reset",
    "restore",
    "rev-list",
    "rev-parse",
    "revert",
    "rm",
    "shortlog",
    "show",
    "show-ref",
    "sparse-checkout",
    "stash",
    "status",
    "submodule",
    "switch",
    "symbolic-ref",
    "tag",
    "update-index",
    "update-ref",
    "verify-pack",
    "version",
    "worktree",
    "write-tree",
];

/// What `program` gets beside `args`, or why the phase may not run it so.
pub fn harden(program: &str, args: &[String]) -> Result<Hardening, HostError> {
    match program {
        "git" => git(args),
        "xorriso" => Ok(Hardening {
            leading_args: vec!["-no_rc".into()],
            env: Vec::new(),
        }),
        _ => Ok(Hardening::default()),
    }
}

fn git(args: &[String]) -> Result<Hardening, HostError> {
    let refuse = |why: String| HostError::Denied(format!("git: {why}"));
    let mut rest = args.iter();
    let command = loop {
        let Some(arg) = rest.next() else {
            return Err(refuse("no command given".into()));
        };
        let option = arg.split('=').next().unwrap_or_default();
        if GIT_REFUSED_OPTIONS.contains(&option) || arg.starts_with("-c") {
            return Err(refuse(format!(
                "`{arg}` would give git configuration or programs of the phase's choosing"
            )));
        }
        if GIT_OPTIONS_WITH_VALUE.contains(&arg.as_str()) {
            rest.next();
        } else if !arg.starts_with('-') {
            break arg;
        }
    };
    if !GIT_BUILTINS.contains(&command.as_str()) {
        return Err(refuse(format!(
            "`{command}` is not one of git's own commands (aliases are not run)"
        )));
    }
    Ok(Hardening {
        leading_args: GIT_FORCED
            .iter()
            .flat_map(|setting| ["-c".to_owned(), (*setting).to_owned()])
            .collect(),
        env: vec![
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("GIT_CONFIG_GLOBAL", "/dev/null"),
            ("GIT_ATTR_NOSYSTEM", "1"),
            ("GIT_ALLOW_PROTOCOL", "file"),
            ("GIT_PROTOCOL_FROM_USER", "0"),
            ("GIT_TERMINAL_PROMPT", "0"),
            ("HOME", "/tmp"),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn git_builtins_run_with_config_and_hooks_forced_off() {
        let hardening = harden("git", &args(&["-C", "/work/repo", "status"])).unwrap();
        let joined = hardening.leading_args.join(" ");
        assert!(joined.contains("-c core.fsmonitor=false"), "{joined}");
        assert!(joined.contains("-c core.hooksPath=/dev/null"), "{joined}");
        assert!(hardening.env.contains(&("GIT_ALLOW_PROTOCOL", "file")));
        assert!(hardening.env.contains(&("GIT_CONFIG_NOSYSTEM", "1")));
    }

    #[test]
    fn git_config_options_aliases_and_a_missing_command_are_refused() {
        for refused in [
            &["-c", "alias.x=!sh", "x"][..],
            &["-calias.x=!sh", "x"],
            &["--config-env=core.pager=X", "log"],
            &["--exec-path=/compose", "status"],
            &["x"],
            &["-C", "/work"],
        ] {
            let error = harden("git", &args(refused)).unwrap_err();
            assert!(
                matches!(error, HostError::Denied(_)),
                "{refused:?}: {error}"
            );
        }
    }

    #[test]
    fn xorriso_reads_no_startup_files_and_others_run_as_they_are() {
        assert_eq!(harden("xorriso", &[]).unwrap().leading_args, ["-no_rc"]);
        assert_eq!(harden("genisoimage", &[]).unwrap(), Hardening::default());
    }
}
