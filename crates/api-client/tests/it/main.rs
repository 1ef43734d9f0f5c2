//! The SDK against mock servers and the sandbox.
//! One test binary for the crate (each file below was a binary of its own: one link
//! instead of many).

mod support;

mod docs_models;
mod generated_client;
mod sdk_batch;
mod sdk_bulk_wait;
mod sdk_download;
mod sdk_files;
mod sdk_http_client;
mod sdk_request;
mod sdk_retries;
mod sdk_tasks;
mod sdk_upload;
mod sdk_wait;
