//! The `pungi-wasm` command line. Flags follow `pungi-koji` where one exists.

mod audit_cmd;
mod compose_cmd;
mod config_cmd;
mod config_dump;
pub mod inputs;
mod key_cmd;
mod koji_event;
mod man_pages;
mod phase_cmd;
mod phase_new;
mod pyjson;
pub mod schema_override;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Compose a Fedora/RHEL-style distribution from RPM repositories, running every phase
/// as a sandboxed WebAssembly component.
///
/// A compose turns a Pungi config (the same files `pungi-koji` reads) into a directory of
/// per-variant, per-arch package trees with repodata and productmd metadata. Each phase
/// sees only the directories, documents and commands its policy grants, and every call it
/// makes is written to a hash-chained audit log.
///
/// Start with:  pungi-wasm compose --config demo.conf --target-dir composes --nightly
#[derive(Debug, Parser)]
#[command(name = "pungi-wasm", version, max_term_width = 100)]
pub struct Cli {
    /// More output on the terminal (-v info, -vv debug); log files always get debug.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a compose: every Pungi phase the config switches on (init, pkgset,
    /// buildinstall, gather, extra_files, createrepo, ostree, productimg, createiso,
    /// live_images, live_media, image_build, osbs, ostree_installer, image_checksum,
    /// test) and its custom phases, each a sandboxed component.
    Compose(Box<compose_cmd::ComposeArgs>),
    /// Check compose configs, or print one resolved as JSON.
    #[command(subcommand)]
    Config(config_cmd::ConfigCommand),
    /// Check what a compose did.
    #[command(subcommand)]
    Audit(audit_cmd::AuditCommand),
    /// Look at phase components.
    #[command(subcommand)]
    Phase(phase_cmd::PhaseCommand),
    /// Make the keys a compose is signed with.
    #[command(subcommand)]
    Key(key_cmd::KeyCommand),
    /// Write the man pages into DIR (for packagers).
    #[command(hide = true)]
    GenerateMan { dir: std::path::PathBuf },
}

/// Parses the command line, runs the command and turns errors into a message and exit
/// code 1 (never a panic or a backtrace).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = matches!(&cli.command, Command::Compose(args) if args.quiet);
    let files = crate::logging::init(cli.verbose, quiet);
    let result = match cli.command {
        Command::Compose(args) => compose_cmd::run(*args, &files),
        Command::Config(command) => config_cmd::run(command),
        Command::Audit(command) => audit_cmd::run(command),
        Command::Phase(command) => phase_cmd::run(command),
        Command::Key(command) => key_cmd::run(command),
        Command::GenerateMan { dir } => {
            man_pages::run(<Cli as clap::CommandFactory>::command(), &dir)
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
