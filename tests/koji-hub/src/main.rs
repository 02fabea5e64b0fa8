//! `pungi-koji-hub`: serve a hub, or write a hub state to serve.

use std::path::PathBuf;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use pungi_koji_hub::{Faults, Hub, Indexed, Tasks, generate, serve};

#[derive(Parser)]
#[command(version, about = "A Koji-compatible hub for tests and demos")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the hub API at /kojihub and the topdir at /kojifiles; prints
    /// `listening on http://ADDR` once ready.
    Serve {
        #[arg(long)]
        state: PathBuf,
        #[arg(long)]
        topdir: PathBuf,
        /// Loopback only unless told otherwise; port 0 picks a free one.
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        #[arg(long, default_value_t = 8)]
        threads: usize,
        #[arg(long, default_value_t = 2)]
        workers: usize,
        /// Answer the first N calls with HTTP 500.
        #[arg(long, default_value_t = 0)]
        fail_http: u32,
        /// Answer the first N calls with a ServerOffline fault.
        #[arg(long, default_value_t = 0)]
        fail_offline: u32,
        /// Wait this many milliseconds before every answer.
        #[arg(long, default_value_t = 0)]
        delay_ms: u64,
        /// Cut the first N downloads short.
        #[arg(long, default_value_t = 0)]
        truncate_downloads: u32,
        /// Corrupt one byte of the first N downloads.
        #[arg(long, default_value_t = 0)]
        corrupt_downloads: u32,
        /// Fail every task whose request contains this text (repeatable).
        #[arg(long)]
        fail_tasks: Vec<String>,
        /// Keep Nagle's algorithm on the connections, as the hub did before: every
        /// answer on a kept-alive connection then waits ~40 ms (`cargo xtask bench-koji`).
        #[arg(long)]
        nagle: bool,
    },
    /// Write the fixture demo as a hub: OUT/input, OUT/koji/state.json, OUT/koji/topdir.
    Demo {
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a state with one tag `big` of about N RPMs (metadata only).
    Synth {
        #[arg(long)]
        rpms: usize,
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Serve {
            state,
            topdir,
            listen,
            threads,
            workers,
            fail_http,
            fail_offline,
            delay_ms,
            truncate_downloads,
            corrupt_downloads,
            fail_tasks,
            nagle,
        } => {
            let indexed = Indexed::load(&state)?;
            let server = pungi_koji_hub::listen(&listen, nagle)?;
            let addr = server
                .server_addr()
                .to_ip()
                .context("the hub listens on an IP address")?;
            println!("listening on http://{addr}");
            let hub = Hub {
                state: indexed,
                tasks: Tasks::start(topdir.clone(), workers, fail_tasks),
                topdir,
                faults: Faults {
                    http_500: AtomicU32::new(fail_http),
                    offline: AtomicU32::new(fail_offline),
                    delay: Duration::from_millis(delay_ms),
                    truncate: AtomicU32::new(truncate_downloads),
                    corrupt: AtomicU32::new(corrupt_downloads),
                },
            };
            serve(server, hub, threads);
            Ok(())
        }
        Command::Demo { out } => {
            let hub = generate::write_demo_hub(&out)?;
            println!(
                "state {}\ntopdir {}",
                hub.state.display(),
                hub.topdir.display()
            );
            Ok(())
        }
        Command::Synth { rpms, out } => {
            let state = generate::synthetic(rpms);
            std::fs::write(&out, serde_json::to_string(&state)?)
                .with_context(|| format!("writing {}", out.display()))?;
            Ok(())
        }
    }
}
