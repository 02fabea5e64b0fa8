//! Running allow-listed programs: a builder for the invocation and helpers on its output.

use std::time::Duration;

use crate::{CommandOutput, Invocation};

/// A program to run through the host, built step by step:
/// `Command::new("rpm").args(["-qp", "/compose/x.rpm"]).cwd("/work")`.
/// The policy decides whether it may run (`commands` or `command` with argument patterns).
#[derive(Debug, Clone)]
pub struct Command {
    invocation: Invocation,
}

impl Command {
    /// A program by bare name (no `/`), looked up on the host's fixed `PATH`.
    pub fn new(program: impl Into<String>) -> Self {
        Command {
            invocation: Invocation {
                program: program.into(),
                args: Vec::new(),
                cwd: None,
                env: Vec::new(),
                timeout_ms: None,
            },
        }
    }

    /// Adds one argument. Absolute paths must lie inside this phase's mounts.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.invocation.args.push(arg.into());
        self
    }

    /// Adds several arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.invocation
            .args
            .extend(args.into_iter().map(Into::into));
        self
    }

    /// The working directory, a virtual path inside a writable mount.
    pub fn cwd(mut self, dir: impl Into<String>) -> Self {
        self.invocation.cwd = Some(dir.into());
        self
    }

    /// Sets a variable; the policy's `command-env` must list it.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.invocation.env.push((name.into(), value.into()));
        self
    }

    /// A time limit; the host applies the smaller of this and the policy's.
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.invocation.timeout_ms = Some(u64::try_from(limit.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// The invocation as the host receives it.
    pub fn invocation(&self) -> &Invocation {
        &self.invocation
    }
}

impl CommandOutput {
    /// Whether the program exited with status 0 (a killed program did not).
    pub fn success(&self) -> bool {
        self.exit_code == Some(0)
    }

    /// Standard output as text, invalid UTF-8 replaced.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Standard error as text, invalid UTF-8 replaced.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builder_fills_the_invocation() {
        let command = Command::new("rpm")
            .arg("-qp")
            .args(["--qf", "%{NAME}"])
            .cwd("/work")
            .env("LANG", "C")
            .timeout(Duration::from_secs(3));
        let invocation = command.invocation();
        assert_eq!(invocation.program, "rpm");
        assert_eq!(invocation.args, ["-qp", "--qf", "%{NAME}"]);
        assert_eq!(invocation.cwd.as_deref(), Some("/work"));
        assert_eq!(invocation.env, [("LANG".to_owned(), "C".to_owned())]);
        assert_eq!(invocation.timeout_ms, Some(3000));
    }

    #[test]
    fn output_success_needs_exit_code_zero() {
        let output = |exit_code| CommandOutput {
            exit_code,
            stdout: b"out\xff".to_vec(),
            stderr: Vec::new(),
            truncated: false,
        };
        assert!(output(Some(0)).success());
        assert!(!output(Some(1)).success());
        assert!(!output(None).success());
        assert_eq!(output(Some(0)).stdout_text(), "out\u{fffd}");
    }
}
