#![no_main]
//! Task, callback and error bodies, Retry-After values and image headers from the network.
libfuzzer_sys::fuzz_target!(|data: &[u8]| nanobanana_api::fuzzing::parse_network_bytes(data));
