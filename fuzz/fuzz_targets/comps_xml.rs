//! The comps reader; whatever it accepts must also write back out.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(comps) = pungi_comps::parse(&text) {
        let _ = pungi_comps::to_xml(&comps);
    }
});
