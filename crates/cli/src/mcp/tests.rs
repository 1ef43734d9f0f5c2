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

#[tokio::test]
async fn initialize_announces_the_sandbox_and_the_folder_and_lists_every_tool() {
    let dir = tempfile::tempdir().unwrap();
    let session = connect(sandbox(0.002).await, dir.path(), true).await;
    let info = session
        .client
        .peer_info()
        .expect("the server said who it is");
    let instructions = info.instructions.clone().unwrap_or_default();
    assert!(instructions.starts_with("SANDBOX:"), "{instructions}");
    assert!(instructions.contains("placeholder"), "{instructions}");
    assert!(
        instructions.contains(&dir.path().display().to_string()),
        "the default folder is announced: {instructions}"
    );
    let tools = session.client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "generate_image",
            "get_task",
            "wait_task",
            "list_tasks",
            "list_models",
            "credits",
            "files_quota"
        ]
    );
    let generate = &tools[0];
    let description = generate.description.as_deref().unwrap_or_default();
    for model in nanobanana_api::lineup::MODELS {
        assert!(
            description.contains(model.model.as_str()),
            "{} is described: {description}",
            model.model
        );
    }
    let schema = Value::Object((*generate.input_schema).clone());
    assert_eq!(schema["required"], json!(["prompt"]));
    assert!(schema["properties"]["quality"]["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("4K")));
    assert_eq!(
        schema["properties"]["thinking"]["enum"],
        json!(["auto", "min", "high", null])
    );
    assert_eq!(schema["additionalProperties"], json!(false));
}

#[tokio::test]
async fn generate_image_saves_the_file_and_answers_its_path_task_and_preview() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("made");
    let session = connect(sandbox(0.002).await, dir.path(), true).await;
    let answer = session
        .client
        .call_tool(call(
            "generate_image",
            json!({"prompt": "a red fox", "size": "16:9", "quality": "1K",
                   "output_dir": out, "file_name": "fox.png"}),
        ))
        .await
        .unwrap();
    assert_eq!(answer.is_error, Some(false), "{}", text(&answer));
    let facts = facts(&answer);
    let task_id = facts["task_id"].as_str().unwrap();
    assert!(task_id.starts_with("task-unified-"));
    assert_eq!(facts["files"], json!([out.join("fox.png")]));
    assert_eq!(facts["size"], json!("16:9"));
    assert_eq!(facts["quality"], json!("1K"));
    assert_eq!(facts["sandbox"], json!(true));
    assert!(facts["credits_reserved"].as_f64().is_some());
    // Saved as the PNG the name asks for (the sandbox serves JPEGs).
    assert_eq!(
        nanobanana_test_kit::png_size(&out.join("fox.png")),
        (1024, 576)
    );
    let said = text(&answer);
    assert!(said.starts_with("SANDBOX:"), "{said}");
    assert!(said.contains(task_id) && said.contains("fox.png"), "{said}");
    let preview = answer
        .content
        .iter()
        .find_map(|c| match c {
            ContentBlock::Image(image) => Some(image),
            _ => None,
        })
        .expect("a preview");
    assert_eq!(preview.mime_type, "image/jpeg");
    assert!(preview.data.len() < 256 * 1024 * 4 / 3 + 4);
}

#[tokio::test]
async fn quality_4k_on_the_lite_model_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(0.002).await;
    let mut journal = sandbox.watch_requests();
    let session = connect(sandbox, dir.path(), false).await;
    let answer = session
        .client
        .call_tool(call(
            "generate_image",
            json!({"prompt": "a banner", "model": "gemini-3.1-flash-lite-image", "quality": "4K"}),
        ))
        .await
        .unwrap();
    assert_eq!(answer.is_error, Some(true));
    let said = text(&answer);
    assert!(said.contains("gemini-3.1-flash-lite-image"), "{said}");
    assert!(
        said.contains("1K") && said.contains("list_models"),
        "{said}"
    );
    assert!(said.contains("Nothing was paid"), "{said}");
    assert_eq!(facts(&answer)["error"]["param"], json!("quality"));
    assert_eq!(facts(&answer)["sandbox"], json!(false));
    assert_eq!(creates(&mut journal), 0, "no create reached the sandbox");
    assert!(!dir.path().join(super::DEFAULT_OUTPUT_DIR).exists());
}

#[tokio::test]
async fn a_cancel_stops_the_wait_and_the_task_keeps_running() {
    let dir = tempfile::tempdir().unwrap();
    // Tasks of about 45 s × 0.1: time to cancel mid-wait.
    let mut session = connect(sandbox(0.1).await, dir.path(), true).await;
    let request = ClientRequest::CallToolRequest(Request::new(call(
        "generate_image",
        json!({"prompt": "a slow fox"}),
    )));
    let handle = session
        .client
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .unwrap();
    // The first notification names the task.
    let first = tokio::time::timeout(Duration::from_secs(20), session.progress.recv())
        .await
        .expect("a progress notification")
        .unwrap();
    let message = first.message.unwrap_or_default();
    let task_id = message
        .split_whitespace()
        .find(|w| w.starts_with("task-unified-"))
        .unwrap_or_else(|| panic!("the task id in {message}"))
        .to_string();
    assert!(message.contains("wait_task"), "{message}");
    handle
        .cancel(Some("the user changed their mind".into()))
        .await
        .unwrap();
    // The last word names the task and says it runs on.
    let stopped = loop {
        let note = tokio::time::timeout(Duration::from_secs(20), session.progress.recv())
            .await
            .expect("the stopped-waiting notification")
            .unwrap();
        let message = note.message.unwrap_or_default();
        if message.contains("stopped waiting") {
            break message;
        }
    };
    assert!(
        stopped.contains(&task_id) && stopped.contains("keeps running"),
        "{stopped}"
    );
    let task = session.sdk.get_task(&task_id).await.unwrap();
    assert!(
        ["pending", "processing", "completed"].contains(&task.status.to_string().as_str()),
        "the task runs on: {}",
        task.status
    );
    // And its image is saved by wait_task.
    let answer = session
        .client
        .call_tool(call("wait_task", json!({"task_id": task_id})))
        .await
        .unwrap();
    assert_eq!(answer.is_error, Some(false), "{}", text(&answer));
    assert_eq!(facts(&answer)["status"], json!("completed"));
    let file = facts(&answer)["files"][0].as_str().unwrap().to_string();
    assert!(
        std::path::Path::new(&file).starts_with(dir.path()),
        "{file}"
    );
    assert!(std::path::Path::new(&file).exists());
}

#[tokio::test]
async fn the_same_idempotency_key_gets_the_original_task_and_another_request_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(0.002).await;
    let mut journal = sandbox.watch_requests();
    let session = connect(sandbox, dir.path(), true).await;
    let args = json!({"prompt": "a fox", "idempotency_key": "fox-1", "file_name": "fox.webp"});
    let first = session
        .client
        .call_tool(call("generate_image", args.clone()))
        .await
        .unwrap();
    let again = session
        .client
        .call_tool(call("generate_image", args))
        .await
        .unwrap();
    assert_eq!(again.is_error, Some(false), "{}", text(&again));
    assert_eq!(facts(&first)["task_id"], facts(&again)["task_id"]);
    assert_eq!(facts(&first)["files"], facts(&again)["files"]);
    assert_eq!(facts(&first)["replayed"], json!(false));
    assert_eq!(facts(&again)["replayed"], json!(true));
    assert_eq!(creates(&mut journal), 1, "one task paid for");
    let other = session
        .client
        .call_tool(call(
            "generate_image",
            json!({"prompt": "a dog", "idempotency_key": "fox-1"}),
        ))
        .await
        .unwrap();
    assert_eq!(other.is_error, Some(true));
    assert!(text(&other).contains("idempotency_key"), "{}", text(&other));
    // list_tasks finds the one task.
    let listed = session
        .client
        .call_tool(call("list_tasks", json!({"since": "1h"})))
        .await
        .unwrap();
    let tasks = facts(&listed)["tasks"].as_array().unwrap().clone();
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0]["task_id"], facts(&first)["task_id"]);
    assert_eq!(tasks[0]["status"], json!("completed"));
}

#[tokio::test]
async fn arguments_outside_the_schema_are_an_error_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let session = connect(sandbox(0.002).await, dir.path(), true).await;
    for (args, named) in [
        (json!({"prompt": "x", "colour": "red"}), "colour"),
        (json!({"prompt": "x", "size": "9:9"}), "size"),
        (
            json!({"prompt": "x", "thinking": "minimal"}),
            "auto | min | high",
        ),
        (
            json!({"prompt": "x", "model": "gemini-3.1-flash-lite-image", "web_search": true}),
            "only thinking_level with gemini-3.1-flash-lite-image",
        ),
        (json!({"prompt": "x", "file_name": "../x.png"}), "file_name"),
        (json!({"prompt": "x", "file_name": "x.txt"}), "file_name"),
        (json!({"size": "1:1"}), "prompt"),
    ] {
        let answer = session
            .client
            .call_tool(call("generate_image", args.clone()))
            .await
            .unwrap();
        assert_eq!(answer.is_error, Some(true), "{args}");
        assert!(text(&answer).contains(named), "{args}: {}", text(&answer));
    }
    let answer = session
        .client
        .call_tool(call("get_task", json!({"task_id": "nope"})))
        .await
        .unwrap();
    assert_eq!(answer.is_error, Some(true));
    assert!(text(&answer).contains("task-unified-"), "{}", text(&answer));
}

#[tokio::test]
async fn the_key_is_in_no_answer() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = nanobanana_test_kit::sandbox::start_keyed(0.002).await;
    let session = connect(sandbox, dir.path(), false).await;
    let mut answers = Vec::new();
    for (tool, args) in [
        ("generate_image", json!({"prompt": "a fox"})),
        ("credits", json!({})),
        ("files_quota", json!({})),
        ("list_models", json!({})),
        ("list_tasks", json!({})),
        ("get_task", json!({"task_id": "task-unified-0-missing"})),
    ] {
        let answer = session.client.call_tool(call(tool, args)).await.unwrap();
        answers.push(serde_json::to_string(&answer).unwrap());
    }
    let all = answers.join("\n");
    assert!(all.contains("API: requests go to"), "{all}");
    assert!(!all.contains(nanobanana_test_kit::KEY));
}

#[tokio::test]
async fn two_calls_at_once_with_one_key_pay_once_and_share_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(0.01).await;
    let mut journal = sandbox.watch_requests();
    let session = connect(sandbox, dir.path(), true).await;
    let args = json!({"prompt": "twins", "idempotency_key": "twins-1"});
    let (first, second) = tokio::join!(
        session
            .client
            .call_tool(call("generate_image", args.clone())),
        session.client.call_tool(call("generate_image", args)),
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.is_error, Some(false), "{}", text(&first));
    assert_eq!(second.is_error, Some(false), "{}", text(&second));
    assert_eq!(facts(&first)["task_id"], facts(&second)["task_id"]);
    assert_eq!(facts(&first)["files"], facts(&second)["files"]);
    assert_eq!(creates(&mut journal), 1, "one task paid for");
    let saved = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(saved, 1, "one image on disk");
}
