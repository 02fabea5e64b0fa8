//! `cargo xtask bench`: release builds of everything, then `pungi-bench` on the chosen
//! corpus sizes (generated once under target/bench and reused).

use std::process::Command;

use crate::steps::{Profile, build, cargo_for, phases_dir, run, target_dir};

pub fn bench(sizes: &str) -> anyhow::Result<()> {
    crate::steps::ensure_debian_tools(true)?;
    build(Profile::Release)?;
    run(&mut cargo_for(&["build", "--release"], &["pungi-bench"]))?;
    run(Command::new(target_dir().join("release/pungi-bench"))
        .arg("--sizes")
        .arg(sizes)
        .arg("--out")
        .arg(target_dir().join("bench"))
        .arg("--phases-dir")
        .arg(phases_dir()))
}
