//! `nanobanana mcp`: a Model Context Protocol server on stdin/stdout, for agents.
//!
//! Built on the SDK's public surface alone: every request is checked against its model's own
//! limits before anything is paid for, waits report MCP progress from the SDK's observer, and a
//! cancelled call stops its wait, never its task. Without `EVOLINK_API_KEY` it runs on the
//! embedded sandbox (as `generate` does) and says so in its instructions and in every answer.
//! Stdout carries JSON-RPC only; notes and logs go to stderr.
//!
//! | file | what it holds |
//! | --- | --- |
//! | `server.rs` | the protocol handler: server info, tool list, dispatch |
//! | `instructions.rs` | what the server tells an agent at `initialize`, and the mode line |
//! | `schema.rs` | the tools' arguments and descriptions (limits from the SDK's model table) |
//! | `tools.rs` | the tools other than `generate_image` |
//! | `generate.rs` | `generate_image` and the wait shared with `wait_task` |
//! | `request.rs` | `generate_image`'s request, and the file it saves |
//! | `session.rs` | what this server remembers: its tasks, idempotency keys |
//! | `answer.rs` | tool results: structured content, text, errors in an agent's terms |
//! | `progress.rs` | SDK events as MCP progress notifications |
//! | `preview.rs` | the small image returned with a saved one |

mod answer;
mod generate;
mod instructions;
mod preview;
mod progress;
mod request;
mod schema;
mod server;
mod session;
#[cfg(test)]
mod tests;
mod tools;

use std::path::PathBuf;

use rmcp::ServiceExt as _;

use crate::args::McpArgs;
use crate::error::CliError;
use crate::settings::Settings;

/// The folder images are saved in when a call names none, relative to where the server starts.
pub const DEFAULT_OUTPUT_DIR: &str = "nanobanana-images";

/// Serves MCP on stdin/stdout until stdin closes (then exits 0).
pub async fn mcp(args: McpArgs, settings: &Settings) -> Result<(), CliError> {
    let connection = crate::connection::connect(settings, true).await?;
    let output_dir = absolute(
        args.output_dir
            .unwrap_or_else(|| PathBuf::from(DEFAULT_OUTPUT_DIR)),
    );
    let server = server::Server::new(connection, output_dir);
    crate::output::note!(
        "nanobanana mcp: serving the Model Context Protocol on stdin/stdout ({}); images go to {} unless a call names another folder",
        server.mode().describe(),
        server.output_dir().display()
    );
    let running = match server.serve(rmcp::transport::stdio()).await {
        Ok(running) => running,
        // Stdin closed before a client said hello: nothing to serve.
        Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
        Err(e) => return Err(CliError::McpSession(e.to_string())),
    };
    let _ = running.waiting().await;
    Ok(())
}

/// `path` made absolute against the current directory (an agent reads it from another one).
fn absolute(path: PathBuf) -> PathBuf {
    std::path::absolute(&path).unwrap_or(path)
}
