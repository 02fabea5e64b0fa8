//! Every option the validator accepts as honoured is read somewhere: a phase, the host
//! or an example names it. An option accepted and silently ignored (as
//! `hashed_directories` once was) fails here until it is read or marked not supported
//! in `host/config/src/schema/options.rs`.

use std::path::Path;

use pungi_config::schema::{OPTIONS, Status, Support};
use pungi_tests::workspace;

/// The Rust sources that could read an option, the schema itself aside.
fn sources() -> String {
    let mut text = String::new();
    let mut dirs: Vec<_> = ["phases-wasm", "host/src", "host/config/src", "examples"]
        .iter()
        .map(|d| workspace().join(d))
        .collect();
    let schema = workspace().join("host/config/src/schema");
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path == schema || path.ends_with("target") {
                continue;
            }
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                text.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    text
}

#[test]
fn every_option_marked_honoured_is_read_by_some_code() {
    let sources = sources();
    assert!(Path::new(&workspace().join("phases-wasm/gather/src/options.rs")).is_file());
    let unread: Vec<&str> = OPTIONS
        .iter()
        .filter(|o| matches!(o.support, Support::Yes | Support::Partly(_)))
        .filter(|o| !matches!(o.status, Status::Removed(_)))
        .map(|o| o.name)
        .filter(|name| !sources.contains(&format!("\"{name}\"")))
        .collect();
    assert!(
        unread.is_empty(),
        "options the validator calls honoured that no code reads (read them, or mark them \
         `Support::No` with what is missing):\n  {}",
        unread.join("\n  ")
    );
}
