//! End-to-end tests across the nanobanana crates live in `tests/tests/`; what they share with the
//! other crates' tests is in `nanobanana-test-kit` (crates/test-kit).
