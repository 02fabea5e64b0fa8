//! `pungi-wasm generate-man DIR`: the man pages, generated from the command line's own
//! definition so they never drift from `--help`. One page per command, named as man
//! names subcommand pages (`pungi-wasm-compose.1`, `pungi-wasm-audit-verify.1`).
//! Hidden: packagers run it (`cargo xtask dist`), users read the pages.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

/// Writes the page of `command` and of each of its subcommands into `dir`.
pub fn run(command: clap::Command, dir: &Path) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    write_pages(command, dir)?;
    Ok(ExitCode::SUCCESS)
}

fn write_pages(command: clap::Command, dir: &Path) -> anyhow::Result<()> {
    let command = command.disable_help_subcommand(true);
    let name = command.get_name().to_owned();
    let path = dir.join(format!("{name}.1"));
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    std::fs::write(&path, page).with_context(|| format!("writing {}", path.display()))?;
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let sub_name = format!("{name}-{}", sub.get_name());
        write_pages(sub.clone().name(sub_name), dir)?;
    }
    Ok(())
}
