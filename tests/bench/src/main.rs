//! `pungi-bench`: whole composes of generated corpora (1,000, 10,000 or 70,000 packages),
//! each stock phase run as a Wasm component and natively side by side (the price of the
//! sandbox), the runtime's own figures, and baselines with the tools release engineers
//! use today. Writes `report-<size>.json` and `.md` under `--out`.
//!
//! Run it through `cargo xtask bench`, which builds everything in release mode first.

mod baselines;
mod compose;
mod corpus;
mod native;
mod noise;
mod probe;
mod report;
mod sign;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;

use corpus::Size;

#[derive(Parser)]
#[command(name = "pungi-bench")]
struct Args {
    /// Corpus sizes to run: small (1,000 packages), medium (10,000), large (70,000).
    #[arg(long, value_delimiter = ',', default_value = "small")]
    sizes: Vec<Size>,
    /// Where corpora are cached and reports written.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// Directory of the phase components (release builds).
    #[arg(long, default_value = "target/wasm32-wasip2/release")]
    phases_dir: PathBuf,
    /// Size in GiB of the file the runtime probe hashes (with files.digest and
    /// sha256sum); 0 skips the runtime probe.
    #[arg(long, default_value_t = 4)]
    probe_gib: u64,
    /// Packages per arch of the compose whose signing (`--sign-key`) is measured against
    /// sha256sum; 0 skips it.
    #[arg(long, default_value_t = 70_000)]
    sign_packages: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out)?;
    if args.probe_gib > 0 {
        let report =
            probe::measure(&args.out, &args.phases_dir, args.probe_gib).context("runtime probe")?;
        write_report(&args.out, "runtime", &report, &report.markdown())?;
    }
    if args.sign_packages > 0 {
        let report = sign::measure(&args.out, args.sign_packages).context("signing")?;
        write_report(&args.out, "sign", &report, &report.markdown())?;
    }
    for size in &args.sizes {
        let report = report::measure(*size, &args.out, &args.phases_dir)
            .with_context(|| format!("benchmark {}", size.name()))?;
        write_report(&args.out, size.name(), &report, &report.markdown())?;
    }
    Ok(())
}

/// `report-<name>.json` and `.md` under `out`, and the table on stdout.
fn write_report(
    out: &std::path::Path,
    name: &str,
    report: &impl serde::Serialize,
    markdown: &str,
) -> anyhow::Result<()> {
    let json = out.join(format!("report-{name}.json"));
    let md = out.join(format!("report-{name}.md"));
    std::fs::write(&json, serde_json::to_string_pretty(report)?)?;
    std::fs::write(&md, markdown)?;
    println!("{markdown}");
    println!("written: {} and {}", json.display(), md.display());
    Ok(())
}
