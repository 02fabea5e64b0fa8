//! The Pungi config language: lexer, parser and evaluator on arbitrary text.
//! Includes (`from x import *`) resolve next to a directory that does not exist,
//! so they exercise the error path without reading the machine's files.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = pungi_config::load_str(&text, Path::new("/nonexistent-fuzz/fuzz.conf"));
});
