//! The demo's third-party phases: the example components of `examples/phases/` copied
//! beside the demo config, a config that includes `demo.conf` and adds them as
//! `custom_phases` with their freshly computed sha256, and a policy approving them.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use sha2::{Digest, Sha256};

/// One example as the demo places it.
struct Example {
    /// The component file cargo writes.
    file: &'static str,
    name: &'static str,
    /// The rest of its `custom_phases` entry (placement, config, grant), as Python.
    entry: &'static str,
    /// Its policy section's body, which the grant must not exceed.
    policy: &'static str,
}

const EXAMPLES: &[Example] = &[
    Example {
        file: "pungi_example_sbom.wasm",
        name: "sbom",
        entry: r#""after": "createrepo",
        "failable": True,
        "config": {"namespace": "https://demo.example/spdx"},
        "grant": {"dirs": {"compose": "rw"}, "metadata-read": ["gather", "pkgset"], "metadata-write": []},"#,
        policy: r#"dirs = { compose = "rw" }
metadata-read = ["gather", "pkgset"]"#,
    },
    Example {
        file: "pungi_example_changelog_diff.wasm",
        name: "changelog_diff",
        entry: r#""after": "createrepo",
        "failable": True,
        "grant": {"dirs": {"compose": "rw", "old-composes": "ro"}, "metadata-read": ["gather", "pkgset"], "metadata-write": []},"#,
        policy: r#"dirs = { compose = "rw", old-composes = "ro" }
metadata-read = ["gather", "pkgset"]"#,
    },
];

/// The files to compose the demo with its custom phases.
pub struct CustomDemo {
    /// `demo-custom.conf`: `from demo import *` plus `custom_phases`.
    pub config: PathBuf,
    /// `custom-policy.toml`: a section per example.
    pub policy: PathBuf,
}

/// Copies the built examples from `phases_dir` into `input/phases/` and writes the
/// config and policy beside `input/demo.conf`.
pub fn write(input: &Path, phases_dir: &Path) -> anyhow::Result<CustomDemo> {
    let components = input.join("phases");
    std::fs::create_dir_all(&components)
        .with_context(|| format!("creating {}", components.display()))?;
    let mut config = String::from(
        "# The demo with the example third-party phases (written by cargo xtask demo).\n\
         from demo import *\n\ncustom_phases = [\n",
    );
    let mut policy = String::from("# Approves the example third-party phases of the demo.\n");
    for example in EXAMPLES {
        let built = phases_dir.join(example.file);
        let bytes = std::fs::read(&built)
            .with_context(|| format!("reading the built example {}", built.display()))?;
        write_atomic(&components.join(example.file), &bytes)?;
        config.push_str(&format!(
            "    {{\n        \"name\": \"{}\",\n        \"component\": \"phases/{}\",\n        \"sha256\": \"{}\",\n        {}\n    }},\n",
            example.name,
            example.file,
            hex::encode(Sha256::digest(&bytes)),
            example.entry
        ));
        policy.push_str(&format!("\n[phase.{}]\n{}\n", example.name, example.policy));
    }
    config.push_str("]\n");
    let files = CustomDemo {
        config: input.join("demo-custom.conf"),
        policy: input.join("custom-policy.toml"),
    };
    write_atomic(&files.config, config.as_bytes())?;
    write_atomic(&files.policy, policy.as_bytes())?;
    Ok(files)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))
}
