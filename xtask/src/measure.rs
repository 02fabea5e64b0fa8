//! What the benchmarks read off a finished run.

use anyhow::Context as _;

/// The peak resident memory `/usr/bin/time -v` wrote to `report`, in KiB.
pub fn max_rss_kib(report: &std::path::Path) -> anyhow::Result<u64> {
    let text =
        std::fs::read_to_string(report).with_context(|| format!("reading {}", report.display()))?;
    text.lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("{} has no maximum resident set size", report.display()))
}

/// The compose a run left under `target` (the directory holding STATUS) and its
/// `logs/global/phases.json`.
pub fn finished_compose(
    target: &std::path::Path,
) -> anyhow::Result<(std::path::PathBuf, serde_json::Value)> {
    let compose = std::fs::read_dir(target)
        .with_context(|| format!("reading {}", target.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.join("STATUS").is_file())
        .with_context(|| format!("no compose directory under {}", target.display()))?;
    let phases = std::fs::read_to_string(compose.join("logs/global/phases.json"))
        .context("reading phases.json")?;
    let phases = serde_json::from_str(&phases).context("parsing phases.json")?;
    Ok((compose, phases))
}
