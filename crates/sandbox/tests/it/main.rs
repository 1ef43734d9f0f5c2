//! The sandbox through raw HTTP and the SDK.
//! One test binary for the crate (each file below was a binary of its own: one link
//! instead of many).

mod sandbox_callbacks;
mod sandbox_errors;
mod sandbox_file_list;
mod sandbox_files;
mod sandbox_idempotency;
mod sandbox_images;
mod sandbox_journal;
mod sandbox_lifecycle;
mod sandbox_reach;
mod sandbox_store;
mod sandbox_task_list;
