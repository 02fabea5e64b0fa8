//! `cargo xtask`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! - `build`: the phase components (wasm32-wasip2) and the host, release mode;
//! - `demo`: build, generate the demo repositories, run two composes with the example
//!   third-party phases (sbom, changelog-diff), say where they are;
//! - `test`: build, prepare the Python venv (productmd), run every test;
//! - `lint`: rustfmt and clippy, native and wasm;
//! - `bench`: whole composes at several sizes against native runs and baselines;
//! - `bench-gather`, `bench-flood`: Gather at 70,000 packages; a phase flooding denied calls;
//! - `bench-koji`: Pkgset downloading a Koji tag from the test hub, against curl;
//! - `fuzz`: the cargo-fuzz targets of the parsers of untrusted input;
//! - `dist`: the release tarball and RPM.

mod bench;
mod bench_flood;
mod bench_gather;
mod bench_koji;
mod custom_demo;
mod dist;
mod fuzz;
mod measure;
mod steps;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the phase components and the host (release).
    Build,
    /// Build, generate the demo input and run a compose on it.
    Demo,
    /// Build and run the whole test suite.
    Test {
        /// Extra arguments for `cargo test` (after `--`).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// rustfmt --check and clippy -D warnings on native and wasm crates.
    Lint,
    /// Whole composes at several sizes, Wasm vs native per phase, and baselines
    /// (createrepo_c, sha256sum, dnf repoclosure); reports in target/bench.
    Bench {
        /// Comma-separated sizes: small (1,000 packages), medium (10,000), large (70,000).
        #[arg(long, default_value = "small,medium")]
        sizes: String,
    },
    /// Pkgset and Gather on 70,000 packages (3 variants x 2 arches) vs dnf repoclosure.
    BenchGather,
    /// A phase granted nothing flooding denied calls: host memory against an idle
    /// compose and the audit bytes it causes.
    BenchFlood,
    /// Pkgset from the test hub's demo tag (downloads from its topurl) against curl
    /// fetching the same files, with the hub as it answered before and now.
    BenchKoji,
    /// Build the release tarball (an install prefix) and the RPM, in target/dist.
    Dist,
    /// Fuzz the parsers (cargo-fuzz, fuzz/): each target in turn, or only TARGET.
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 600)]
        time: u64,
        /// One of: config, variants_xml, comps_xml, rpm_header, repodata, xmlrpc.
        target: Option<String>,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Build => steps::build(steps::Profile::Release),
        Command::Demo => steps::demo(),
        Command::Test { args } => steps::test(&args),
        Command::Lint => steps::lint(),
        Command::Bench { sizes } => bench::bench(&sizes),
        Command::BenchGather => bench_gather::bench_gather(),
        Command::BenchFlood => bench_flood::bench_flood(),
        Command::BenchKoji => bench_koji::bench_koji(),
        Command::Fuzz { time, target } => fuzz::fuzz(time, target.as_deref()),
        Command::Dist => dist::dist(steps::Profile::Release).map(drop),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}
