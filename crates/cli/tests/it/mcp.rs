//! `nanobanana mcp` as an agent runs it: a child process spoken to over its stdin and stdout,
//! by rmcp's client and by a client written from the protocol alone (JSON-RPC lines). No key:
//! the embedded sandbox; with EVOLINK_BASE_URL, a sandbox of this test whose journal shows
//! what reached it. Everything is on loopback.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientRequest, ContentBlock, ProgressNotificationParam,
    Request,
};
use rmcp::service::{NotificationContext, PeerRequestOptions};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt as _};
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// `nanobanana mcp` in `dir` for rmcp's child-process transport, with no key from the
/// developer's environment and fast sandbox tasks.
fn mcp_command(dir: &Path) -> tokio::process::Command {
    let mut command = tokio::process::Command::from(crate::common::nanobanana_in(dir));
    command
        .arg("mcp")
        .env("NANOBANANA_SANDBOX_TIME_SCALE", "0.002");
    command
}

/// rmcp's transport to `command`, its stderr (the server's notes) dropped.
fn child(command: tokio::process::Command) -> TokioChildProcess {
    let (transport, _stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    transport
}

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

#[tokio::test]
async fn rmcp_client_lists_tools_and_generates_into_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("images");
    let transport = child(mcp_command(dir.path()));
    let client = ().serve(transport).await.expect("initialize");
    let info = client.peer_info().unwrap();
    assert_eq!(info.server_info.as_ref().unwrap().name, "nanobanana");
    assert!(info
        .instructions
        .as_deref()
        .unwrap_or_default()
        .starts_with("SANDBOX:"));
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for wanted in [
        "generate_image",
        "get_task",
        "wait_task",
        "list_tasks",
        "list_models",
    ] {
        assert!(names.contains(&wanted), "{wanted} in {names:?}");
    }
    let answer = client
        .call_tool(call(
            "generate_image",
            json!({"prompt": "a cat in the grass", "output_dir": out}),
        ))
        .await
        .unwrap();
    assert_eq!(answer.is_error, Some(false), "{}", text(&answer));
    let facts = answer.structured_content.clone().unwrap();
    let task_id = facts["task_id"].as_str().unwrap();
    let file = facts["files"][0].as_str().unwrap();
    assert!(Path::new(file).starts_with(&out), "{file}");
    assert!(Path::new(file).is_file());
    let said = text(&answer);
    assert!(said.contains(task_id) && said.contains(file), "{said}");
    assert!(said.contains("placeholder"), "{said}");
    let image = answer
        .content
        .iter()
        .find_map(|c| match c {
            ContentBlock::Image(image) => Some(image.data.len()),
            _ => None,
        })
        .expect("image content");
    assert!(image < 1024 * 1024, "{image} bytes of base64");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn quality_4k_on_the_lite_model_never_reaches_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = nanobanana_test_kit::sandbox::start_keyed(0.002).await;
    let mut command = mcp_command(dir.path());
    command
        .env("EVOLINK_API_KEY", nanobanana_test_kit::KEY)
        .env("EVOLINK_BASE_URL", sandbox.base_url())
        .env("EVOLINK_FILES_BASE_URL", sandbox.files_base_url());
    let client = ().serve(child(command)).await.expect("initialize");
    let refused = client
        .call_tool(call(
            "generate_image",
            json!({"prompt": "a banner", "model": "gemini-3.1-flash-lite-image", "quality": "4K"}),
        ))
        .await
        .unwrap();
    assert_eq!(refused.is_error, Some(true));
    let said = text(&refused);
    assert!(said.contains("gemini-3.1-flash-lite-image"), "{said}");
    assert!(said.starts_with("error:"), "{said}");
    assert!(!said.contains(nanobanana_test_kit::KEY));
    // The same server does reach this sandbox: a query goes through.
    let credits = client.call_tool(call("credits", json!({}))).await.unwrap();
    assert_eq!(credits.is_error, Some(false), "{}", text(&credits));
    assert!(text(&credits).starts_with("API: requests go to"));
    let journal = sandbox.requests();
    assert!(
        journal.iter().any(|e| e.path == "/v1/credits"),
        "{journal:?}"
    );
    assert!(
        !journal.iter().any(|e| e.path == "/v1/images/generations"),
        "no create: {journal:?}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_cancel_mid_wait_leaves_the_task_running_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = mcp_command(dir.path());
    // Tasks of about 45 s × 0.1 on the embedded sandbox: time to cancel mid-wait.
    command.env("NANOBANANA_SANDBOX_TIME_SCALE", "0.1");
    let (sender, mut progress) = mpsc::unbounded_channel();
    let client = Listener(sender)
        .serve(child(command))
        .await
        .expect("initialize");
    let request = ClientRequest::CallToolRequest(Request::new(call(
        "generate_image",
        json!({"prompt": "a slow lighthouse"}),
    )));
    let handle = client
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .unwrap();
    let first = tokio::time::timeout(Duration::from_secs(30), progress.recv())
        .await
        .expect("a progress notification")
        .unwrap()
        .message
        .unwrap_or_default();
    let task_id = first
        .split_whitespace()
        .find(|w| w.starts_with("task-unified-"))
        .unwrap_or_else(|| panic!("the task id in {first}"))
        .to_string();
    handle.cancel(Some("changed my mind".into())).await.unwrap();
    let stopped = loop {
        let message = tokio::time::timeout(Duration::from_secs(30), progress.recv())
            .await
            .expect("the stopped-waiting notification")
            .unwrap()
            .message
            .unwrap_or_default();
        if message.contains("stopped waiting") {
            break message;
        }
    };
    assert!(stopped.contains(&task_id), "{stopped}");
    assert!(stopped.contains("was not cancelled"), "{stopped}");
    // The task was not cancelled: the embedded sandbox (alive with the server) finishes it.
    let task = client
        .call_tool(call("get_task", json!({"task_id": task_id})))
        .await
        .unwrap();
    let status = task.structured_content.unwrap()["task"]["status"].clone();
    assert!(
        [json!("pending"), json!("processing"), json!("completed")].contains(&status),
        "{status}"
    );
    let waited = client
        .call_tool(call("wait_task", json!({"task_id": task_id})))
        .await
        .unwrap();
    assert_eq!(waited.is_error, Some(false), "{}", text(&waited));
    let file = waited.structured_content.unwrap()["files"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(Path::new(&file).is_file(), "{file}");
    client.cancel().await.unwrap();
}

/// A client written from the protocol alone: JSON-RPC 2.0 objects, one a line.
struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// Every line the server wrote.
    lines: Vec<String>,
}

impl Raw {
    fn start(dir: &Path) -> Self {
        let mut child = crate::common::nanobanana_in(dir)
            .arg("mcp")
            .env("NANOBANANA_SANDBOX_TIME_SCALE", "0.002")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Self {
            child,
            stdin,
            stdout,
            lines: Vec::new(),
        }
    }

    fn send(&mut self, message: Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    /// The answer to request `id` (notifications before it are kept in `lines`).
    fn answer(&mut self, id: u64) -> Value {
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).unwrap() > 0,
                "stdout ended before the answer to {id}: {:?}",
                self.lines
            );
            self.lines.push(line.clone());
            let message: Value = serde_json::from_str(&line).expect("each stdout line is JSON");
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    fn initialize(&mut self) -> Value {
        self.send(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "a-raw-client", "version": "1"}
            }}),
        );
        let answer = self.answer(1);
        self.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        answer
    }

    /// Closes stdin and waits for the exit code (at most 30 s).
    fn close(mut self) -> (Option<i32>, Vec<String>) {
        drop(self.stdin.take());
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.stdout, &mut rest).unwrap();
        self.lines.extend(rest.lines().map(|l| format!("{l}\n")));
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code(), self.lines);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        panic!("the server did not exit within 30 s of stdin closing");
    }
}

#[test]
fn a_client_from_the_protocol_alone_lists_tools_and_saves_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("raw");
    let mut raw = Raw::start(dir.path());
    let hello = raw.initialize();
    assert_eq!(hello["result"]["serverInfo"]["name"], json!("nanobanana"));
    assert!(hello["result"]["capabilities"]["tools"].is_object());
    raw.send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
    let tools = raw.answer(2);
    let names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for wanted in ["generate_image", "get_task", "list_models"] {
        assert!(names.contains(&wanted), "{wanted} in {names:?}");
    }
    raw.send(
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "generate_image",
            "arguments": {"prompt": "a lighthouse", "output_dir": out, "file_name": "light.jpg"},
            "_meta": {"progressToken": "raw-1"}
        }}),
    );
    let answer = raw.answer(3);
    let result = &answer["result"];
    assert_eq!(result["isError"], json!(false), "{answer}");
    let saved = out.join("light.jpg");
    assert!(saved.is_file());
    assert_eq!(result["structuredContent"]["files"], json!([saved]));
    let task_id = result["structuredContent"]["task_id"].as_str().unwrap();
    let said = result["content"][0]["text"].as_str().unwrap();
    assert!(
        said.contains("light.jpg") && said.contains(task_id),
        "{said}"
    );
    let image = result["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == json!("image"))
        .expect("image content");
    assert!(image["data"].as_str().unwrap().len() < 1024 * 1024);
    // Progress came as notifications carrying our token, the first naming the task.
    let progress: Vec<Value> = raw
        .lines
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|m| m["method"] == json!("notifications/progress"))
        .collect();
    assert!(!progress.is_empty());
    assert!(progress
        .iter()
        .all(|p| p["params"]["progressToken"] == json!("raw-1")));
    assert!(progress[0]["params"]["message"]
        .as_str()
        .unwrap()
        .contains(task_id));
    raw.send(json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
        "name": "generate_image",
        "arguments": {"prompt": "a banner", "model": "gemini-3.1-flash-lite-image", "quality": "4K"}
    }}));
    let refused = raw.answer(4);
    assert_eq!(refused["result"]["isError"], json!(true), "{refused}");
    assert!(refused["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("gemini-3.1-flash-lite-image"));
    let (code, lines) = raw.close();
    assert_eq!(code, Some(0), "closing stdin ends the server");
    // Nothing but JSON-RPC on stdout.
    for line in &lines {
        let message: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"));
        assert_eq!(message["jsonrpc"], json!("2.0"), "{line}");
    }
}

#[test]
fn closing_stdin_ends_the_server_before_and_after_initialize() {
    let dir = tempfile::tempdir().unwrap();
    let (code, lines) = Raw::start(dir.path()).close();
    assert_eq!(code, Some(0));
    assert!(lines.is_empty(), "{lines:?}");
    let mut raw = Raw::start(dir.path());
    raw.initialize();
    let (code, _) = raw.close();
    assert_eq!(code, Some(0));
}
