//! In-process tests: rmcp's client drives the server over an in-memory pipe, against a sandbox
//! of this process whose journal and counters show what reached it.

use std::time::Duration;

use nanobanana_api::NanoBanana;
use nanobanana_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientRequest, ContentBlock, ProgressNotificationParam,
    Request,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RunningService};
use rmcp::{ClientHandler, RoleClient, ServiceExt as _};
use serde_json::{json, Value};
use tokio::sync::mpsc;

mod generating;
mod keys;

use super::server::Server;
use crate::connection::Connection;

/// A client that hands every progress notification to the test.
struct Listener(mpsc::UnboundedSender<ProgressNotificationParam>);

impl ClientHandler for Listener {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.0.send(params);
    }
}

/// A server on `sandbox` (as the embedded one when `embedded`, else as the API with a key),
/// saving in `dir`, and a connected client with its progress notifications.
struct Session {
    client: RunningService<RoleClient, Listener>,
    progress: mpsc::UnboundedReceiver<ProgressNotificationParam>,
    /// A client of the same sandbox, to look at tasks behind the server's back.
    sdk: NanoBanana,
    /// The sandbox, when the server reaches it as the API (kept running).
    _sandbox: Option<SandboxHandle>,
}

/// How many creates the journal saw since it was watched.
fn creates(
    journal: &mut tokio::sync::broadcast::Receiver<nanobanana_sandbox::JournalEntry>,
) -> usize {
    let mut creates = 0;
    while let Ok(entry) = journal.try_recv() {
        creates += usize::from(entry.method == "POST" && entry.path == "/v1/images/generations");
    }
    creates
}

async fn sandbox(time_scale: f64) -> SandboxHandle {
    Sandbox::start(SandboxConfig {
        time_scale,
        ..SandboxConfig::default()
    })
    .await
    .expect("a sandbox on loopback")
}

async fn connect(sandbox: SandboxHandle, dir: &std::path::Path, embedded: bool) -> Session {
    let sdk = nanobanana_test_kit::sandbox::fast_client(&sandbox);
    let (embedded, kept) = if embedded {
        (Some(sandbox), None)
    } else {
        (None, Some(sandbox))
    };
    let base = embedded.as_ref().or(kept.as_ref()).expect("one of them");
    let connection = Connection {
        client: sdk.clone(),
        base_url: base.base_url().to_string(),
        files_base_url: base.files_base_url().to_string(),
        sandbox: embedded,
        timeout: Duration::from_secs(60),
    };
    let server = Server::new(connection, dir.to_path_buf());
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        let running = server.serve(server_io).await.expect("the server starts");
        let _ = running.waiting().await;
    });
    let (sender, progress) = mpsc::unbounded_channel();
    let client = Listener(sender)
        .serve(client_io)
        .await
        .expect("the client initializes");
    Session {
        client,
        progress,
        sdk,
        _sandbox: kept,
    }
}

fn call(name: &str, arguments: Value) -> CallToolRequestParams {
    let Value::Object(arguments) = arguments else {
        panic!("arguments are an object")
    };
    CallToolRequestParams::new(name.to_string()).with_arguments(arguments)
}

fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn facts(result: &CallToolResult) -> &Value {
    result
        .structured_content
        .as_ref()
        .expect("structured content")
}
