//! The `nanobanana` binary as a user runs it.
//! One test binary for the crate (each file below was a binary of its own: one link
//! instead of many).

mod common;

mod batch_interrupt;
mod browser;
mod bulk_queries;
mod careless_input;
mod cli;
mod exit_codes;
mod gateway;
mod mcp;
mod no_silent_waits;
mod task_list;
