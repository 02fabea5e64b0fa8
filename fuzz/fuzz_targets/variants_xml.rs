//! The variants XML reader and its validation.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = pungi_config::parse_variants(&text, Path::new("variants.xml"));
});
