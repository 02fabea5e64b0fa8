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
mod report;

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
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out)?;
    for size in &args.sizes {
        let report = report::measure(*size, &args.out, &args.phases_dir)
            .with_context(|| format!("benchmark {}", size.name()))?;
        let json = args.out.join(format!("report-{}.json", size.name()));
        let markdown = args.out.join(format!("report-{}.md", size.name()));
        std::fs::write(&json, serde_json::to_string_pretty(&report)?)?;
        std::fs::write(&markdown, report.markdown())?;
        println!("{}", report.markdown());
        println!("written: {} and {}", json.display(), markdown.display());
    }
    Ok(())
}
