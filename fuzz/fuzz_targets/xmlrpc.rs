//! The host's XML-RPC decoder, which reads whatever a Koji hub answers. The module
//! is compiled here from the host's source file rather than through `pungi-host`, so
//! the fuzz build does not instrument all of wasmtime; it depends only on std,
//! quick-xml, base64 and thiserror.

#![no_main]

#[path = "../../host/src/capabilities/koji/xmlrpc.rs"]
#[allow(dead_code)]
mod xmlrpc;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = xmlrpc::decode_response(&text);
    let _ = xmlrpc::decode_call(&text);
});
