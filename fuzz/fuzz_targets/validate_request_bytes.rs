#![no_main]
//! Request JSON through deserialization and the pre-send validation.
libfuzzer_sys::fuzz_target!(|data: &[u8]| nanobanana_api::fuzzing::validate_request_bytes(data));
