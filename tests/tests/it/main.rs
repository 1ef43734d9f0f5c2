//! End-to-end tests across the crates.
//! One test binary for the crate (each file below was a binary of its own: one link
//! instead of many).

mod create_then_query;
mod fault_suite;
mod fuzz_regressions;
mod model_limits;
mod sandbox_conformance;
