//! A hostile phase for the sandbox tests (`tests/tests/sandbox.rs`). The config option
//! `hostile_action` picks one thing it must not be able to do; `hostile_arg` gives it a
//! detail the test chose (a path, an address).
//!
//! How it reports, so the test can tell a denial from an escape:
//! - the attempt was refused: `Err(PhaseError)` of kind `capability` whose message names
//!   what was tried and the host's answer;
//! - the attempt worked: `Ok(Summary)` whose message starts with `ESCAPED:`;
//! - `env` and `ok` report what they saw in an `Ok(Summary)`;
//! - the resource actions (`memory-bomb`, `infinite-loop`, `stdout-flood`, `panic`,
//!   `command-hang`) never return on their own: the host must stop them.

mod audit_cost;
mod documents;
mod flood;
mod host_paths;
mod jail;
mod logs;

use std::hint::black_box;
use std::io::Write;

use pungi_phase_sdk::{
    Context, DigestAlgorithm, ErrorKind, Invocation, Phase, PhaseError, Summary, register_phase,
};

/// A file the test plants in the writable mount, for link and command cases.
const PLANTED: &str = "/compose/planted.txt";
/// A file the test plants in the read-only mount.
const READ_ONLY_FILE: &str = "/work/ro.txt";

struct Hostile;

impl Phase for Hostile {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let action: String = ctx
            .option("hostile_action")?
            .ok_or_else(|| PhaseError::config("option `hostile_action` is required"))?;
        let arg: Option<String> = ctx.option("hostile_arg")?;
        let arg = || {
            arg.clone()
                .ok_or_else(|| PhaseError::config("`hostile_arg` needed"))
        };
        match action.as_str() {
            "read-etc-passwd" => read("/etc/passwd"),
            "read-dotdot" => read("/compose/../../etc/passwd"),
            "read-relative" => read("../x"),
            "follow-symlink" => read("/compose/escape/passwd"),
            "write-readonly" => write("/work/written-by-hostile"),
            "write-other-dir" => write(&arg()?),
            "link-out" => link_out(ctx),
            "link-many-out" => link_many_out(ctx),
            "background-links-out" => background_links_out(ctx),
            "link-then-write" => link_then_write(ctx),
            "digest-out" => ctx
                .digest("/etc/passwd", &[DigestAlgorithm::Sha256])
                .map(|d| escaped(format!("sha256 of /etc/passwd is {d:?}"))),
            "command-not-granted" => command(ctx, "cat", &["/etc/passwd"], &[]),
            "command-path-arg" => command_path_arg(ctx),
            "jail-planted-symlink" => jail::planted_symlink(ctx),
            "log-forgery" => logs::forgery(),
            "log-plant-link" => logs::plant_link("pungi.global.log", &arg()?),
            "jail-key-value-path" => jail::key_value_path(ctx, &arg()?),
            "jail-write-read-only" => jail::write_read_only(ctx),
            "jail-prefixed-host-path" => jail::prefixed_host_path(ctx, &arg()?),
            "jail-git-fsmonitor" => jail::git_fsmonitor(ctx),
            "jail-git-commands" => jail::git_commands(ctx),
            "jail-detached-child" => jail::detached_child(ctx, &arg()?),
            "jail-iso-internal-path" => jail::iso_internal_path(ctx),
            "command-absolute-program" => command(ctx, "/bin/ls", &["-la"], &[]),
            "command-relative-arg" => command_relative_arg(ctx),
            "command-cwd-outside" => run_command(ctx, invocation("ls", &[], &[]).with_cwd("/etc")),
            "command-hang" => command(ctx, "sleep", &["3600"], &[]),
            "commands-past-the-limit" => commands_past_the_limit(ctx),
            "command-env-ldpreload" => command(
                ctx,
                "ls",
                &[],
                &[("LD_PRELOAD", "/nonexistent/pungi-hostile.so")],
            ),
            "link-arg" => host_paths::link(&arg()?),
            "digest-arg" => host_paths::digest(ctx, &arg()?),
            "link-many-of" => host_paths::link_many(&arg()?),
            "start-links-of" => host_paths::start_links(&arg()?),
            "runroot-arg" => host_paths::runroot(&arg()?),
            "swap-mount-root" => host_paths::swap_mount_root(ctx),
            "metadata-not-granted" => metadata(ctx),
            "document-too-deep" => documents::too_deep(),
            "flood-denied-calls" => flood::denied_calls(),
            "document-too-large" => documents::too_large(17),
            "env" => Ok(environment()),
            "network" => network(&arg()?),
            "memory-bomb" => memory_bomb(),
            "infinite-loop" => infinite_loop(),
            "stdout-flood" => stdout_flood(),
            "log-flood" => log_flood(),
            "panic" => panic!("hostile phase panics on purpose"),
            "denied-flood" => audit_cost::denied_flood(ctx),
            "denied-huge-argument" => audit_cost::denied_huge_argument(ctx),
            "ok" => Ok(Summary::new("hostile phase did nothing").count("actions", 0)),
            other => Err(PhaseError::config(format!(
                "unknown hostile_action `{other}`"
            ))),
        }
    }
}

register_phase!(Hostile);

/// The WASI directory the host preopened at `guest`, for attacks that plant links with
/// WASI itself.
fn preopen(guest: &str) -> Result<wasip2::filesystem::types::Descriptor, PhaseError> {
    wasip2::filesystem::preopens::get_directories()
        .into_iter()
        .find(|(_, path)| path == guest)
        .map(|(dir, _)| dir)
        .ok_or_else(|| PhaseError::internal(format!("no {guest} preopen")))
}

fn escaped(what: impl std::fmt::Display) -> Summary {
    Summary::new(format!("ESCAPED: {what}"))
}

fn read(path: &str) -> Result<Summary, PhaseError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(escaped(format!(
            "read {path}: {} bytes: {}",
            bytes.len(),
            String::from_utf8_lossy(&bytes[..bytes.len().min(80)])
        ))),
        Err(e) => Err(PhaseError::io(format!("reading {path}"), e)),
    }
}

fn write(path: &str) -> Result<Summary, PhaseError> {
    match std::fs::write(path, b"written by the hostile phase\n") {
        Ok(()) => Ok(escaped(format!("wrote {path}"))),
        Err(e) => Err(PhaseError::io(format!("writing {path}"), e)),
    }
}

/// Both directions must be refused: out of the grant, and into it from outside.
fn link_out(ctx: &Context) -> Result<Summary, PhaseError> {
    let outward = ctx.link(PLANTED, "/etc/pungi-hostile-link");
    let inward = ctx.link("/etc/passwd", "/compose/passwd");
    match (outward, inward) {
        (Err(a), Err(b)) => Err(denied(format!("{a}; {b}"))),
        (a, b) => Ok(escaped(format!("link out: {a:?}; link in: {b:?}"))),
    }
}

/// A batch whose second file would go out through the planted `/compose/escape` symlink
/// (to `/etc`): that one must be refused, the first placed.
fn link_many_out(ctx: &Context) -> Result<Summary, PhaseError> {
    let batch = vec![
        (PLANTED.to_owned(), "/compose/batch/kept.txt".to_owned()),
        (
            PLANTED.to_owned(),
            "/compose/escape/pungi-hostile-batch".to_owned(),
        ),
    ];
    match ctx.link_many(batch) {
        Err(e) => Err(denied(e.to_string())),
        Ok(()) => Ok(escaped("link-many placed a file through /compose/escape")),
    }
}

/// [`link_many_out`] in the background; before it, a batch started straight through the
/// WIT and dropped unfinished, which the host must place and audit all the same.
fn background_links_out(ctx: &Context) -> Result<Summary, PhaseError> {
    use pungi_phase_sdk::bindings::pungi::phase::files;
    let dropped = files::start_links(&[files::LinkRequest {
        source: PLANTED.to_owned(),
        destination: "/compose/batch/dropped.txt".to_owned(),
    }])
    .map_err(|e| PhaseError::host("starting a batch", e))?;
    drop(dropped);
    let mut links = ctx.background_links();
    links.push(PLANTED.to_owned(), "/compose/batch/kept.txt".to_owned())?;
    links.push(
        PLANTED.to_owned(),
        "/compose/escape/pungi-hostile-background".to_owned(),
    )?;
    match links.finish() {
        Err(e) => Err(denied(e.to_string())),
        Ok(()) => Ok(escaped(
            "a background batch placed a file through /compose/escape",
        )),
    }
}

/// Links a file of the read-only mount into the writable one, then writes through the
/// link: the read-only original must not change.
fn link_then_write(ctx: &Context) -> Result<Summary, PhaseError> {
    let kind = ctx.link(READ_ONLY_FILE, "/compose/linked.txt")?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open("/compose/linked.txt")
        .map_err(|e| PhaseError::io("opening /compose/linked.txt for writing", e))?;
    file.write_all(b"TAMPERED")
        .map_err(|e| PhaseError::io("writing /compose/linked.txt", e))?;
    drop(file);
    let now = std::fs::read_to_string(READ_ONLY_FILE)
        .map_err(|e| PhaseError::io(format!("reading {READ_ONLY_FILE}"), e))?;
    if now.starts_with("TAMPERED") {
        Ok(escaped(format!(
            "wrote {READ_ONLY_FILE} through a {kind:?} in /compose"
        )))
    } else {
        Err(denied(format!(
            "{READ_ONLY_FILE} kept its content ({kind:?})"
        )))
    }
}

/// A refusal seen by the phase, reported as such.
fn denied(message: String) -> PhaseError {
    PhaseError {
        kind: ErrorKind::Capability,
        message,
    }
}

trait InvocationExt {
    fn with_cwd(self, cwd: &str) -> Self;
}

impl InvocationExt for Invocation {
    fn with_cwd(mut self, cwd: &str) -> Self {
        self.cwd = Some(cwd.to_owned());
        self
    }
}

fn invocation(program: &str, args: &[&str], env: &[(&str, &str)]) -> Invocation {
    Invocation {
        program: program.to_owned(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        cwd: None,
        env: env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        timeout_ms: None,
    }
}

fn command(
    ctx: &Context,
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<Summary, PhaseError> {
    run_command(ctx, invocation(program, args, env))
}

/// Three commands of 1.5 s each, none longer than the phase's 2 s limit on its own: a
/// phase must not outlive its limit by waiting in host calls.
fn commands_past_the_limit(ctx: &Context) -> Result<Summary, PhaseError> {
    for _ in 0..3 {
        ctx.run_command(&invocation("sleep", &["1.5"], &[]))
            .map_err(|e| denied(e.to_string()))?;
    }
    Ok(escaped("ran 4.5 s of commands in a phase limited to 2 s"))
}

fn run_command(ctx: &Context, invocation: Invocation) -> Result<Summary, PhaseError> {
    let out = ctx.run_command(&invocation)?;
    Ok(escaped(format!(
        "ran {} {:?} (exit {:?}): stdout {:?} stderr {:?}",
        invocation.program,
        invocation.args,
        out.exit_code,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    )))
}

/// A path inside a mount is translated and works; `/etc` is refused.
fn command_path_arg(ctx: &Context) -> Result<Summary, PhaseError> {
    let inside = ctx.run_command(&invocation("ls", &["/compose"], &[]))?;
    let listing = String::from_utf8_lossy(&inside.stdout);
    if inside.exit_code != Some(0) || !listing.contains("planted.txt") {
        return Err(PhaseError::internal(format!(
            "`ls /compose` should list planted.txt, got exit {:?}, stdout {listing:?}, stderr {:?}",
            inside.exit_code,
            String::from_utf8_lossy(&inside.stderr)
        )));
    }
    // In the jail, /etc holds what programs need to start, never the host's users.
    let outside = ctx.run_command(&invocation("ls", &["/etc"], &[]))?;
    let listing = String::from_utf8_lossy(&outside.stdout);
    if listing.contains("passwd") || listing.contains("shadow") {
        return Ok(escaped(format!("`ls /etc` listed the host's: {listing}")));
    }
    Err(denied(format!(
        "contained: `ls /etc` in the jail: {listing}"
    )))
}

/// `..` from the working directory: on the host the sandbox root (with `metadata/`), in
/// the jail its own root.
fn command_relative_arg(ctx: &Context) -> Result<Summary, PhaseError> {
    let out = ctx.run_command(&invocation("ls", &["-a", ".."], &[]))?;
    let listing = String::from_utf8_lossy(&out.stdout);
    if listing.contains("metadata") {
        return Ok(escaped(format!("`ls ..` listed the host: {listing}")));
    }
    Err(denied(format!("contained: `ls ..` in the jail: {listing}")))
}

/// Reading a document not granted and writing one not granted must both be refused.
fn metadata(ctx: &Context) -> Result<Summary, PhaseError> {
    let read = ctx.read_document::<serde_json::Value>("secret");
    let write = ctx.write_document("pkgset", &serde_json::Value::Null);
    match (read, write) {
        (Err(a), Err(b)) => Err(denied(format!("{a}; {b}"))),
        (a, b) => Ok(escaped(format!("read secret: {a:?}; wrote pkgset: {b:?}"))),
    }
}

/// What the process environment shows: every variable and argument, as a report.
fn environment() -> Summary {
    let vars: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
    let args: Vec<String> = std::env::args().collect();
    Summary::new(format!(
        "vars={vars:?} args={args:?} home={:?} cwd={:?}",
        std::env::var("HOME").ok(),
        std::env::current_dir().ok()
    ))
    .count("vars", vars.len() as u64)
    .count("home", u64::from(std::env::var_os("HOME").is_some()))
}

/// A TCP connect to the test's listener and a name lookup must both fail.
fn network(address: &str) -> Result<Summary, PhaseError> {
    use std::net::ToSocketAddrs;
    let connect = std::net::TcpStream::connect(address);
    let lookup = "localhost:80".to_socket_addrs().map(|a| a.count());
    let udp = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.send_to(b"hostile", address).map(|_| ()));
    match (&connect, &lookup, &udp) {
        (Err(c), Err(l), Err(u)) => Err(denied(format!(
            "connecting to {address}: {c}; resolving localhost: {l}; udp: {u}"
        ))),
        _ => Ok(escaped(format!(
            "connect: {:?}; lookup: {:?}; udp: {:?}",
            connect.map(|_| "connected"),
            lookup,
            udp
        ))),
    }
}

/// Allocates and touches 1 MiB after 1 MiB; reaching 1 GiB means no limit stopped it.
fn memory_bomb() -> Result<Summary, PhaseError> {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    for mib in 1..=1024u64 {
        let mut chunk = vec![0u8; 1 << 20];
        for page in chunk.iter_mut().step_by(4096) {
            *page = mib as u8;
        }
        hoard.push(black_box(chunk));
    }
    Ok(escaped(format!(
        "allocated {} MiB",
        black_box(&hoard).len()
    )))
}

fn infinite_loop() -> Result<Summary, PhaseError> {
    let mut n = 0u64;
    loop {
        n = black_box(n.wrapping_add(1));
    }
}

/// Prints 1 KiB lines forever.
/// Floods the phase log through the `log` capability rather than stdout.
fn log_flood() -> Result<Summary, PhaseError> {
    let line = "x".repeat(1023);
    let mut n = 0u64;
    loop {
        pungi_phase_sdk::log::info(&line);
        n = black_box(n + 1);
    }
}

fn stdout_flood() -> Result<Summary, PhaseError> {
    let line = "x".repeat(1023);
    let mut n = 0u64;
    loop {
        println!("{line}");
        n = black_box(n + 1);
    }
}
