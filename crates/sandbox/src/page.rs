//! `GET /__sandbox/`: a page that shows what the sandbox was sent and what it made: its tasks
//! (with a thumbnail of each result), the recent requests with refusals highlighted, the
//! uploads kept, callbacks and faults. Server-rendered from `templates/sandbox.html` by
//! minijinja (one crate, escaping HTML by the template's name); it refreshes itself every few
//! seconds with a `<meta>` tag, no script.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::time::Instant;

use crate::journal::{JournalEntry, CALLBACK_OPERATION};
use crate::simulation::{Phase, SimulatedTask};
use crate::state::AppState;

/// How many tasks, requests and uploads the page lists (the newest).
const SHOWN: usize = 50;

/// The template, compiled into the sandbox.
const TEMPLATE: &str = include_str!("../templates/sandbox.html");

/// A task as the page shows it.
#[derive(Serialize)]
struct TaskRow {
    id: String,
    status: &'static str,
    progress: i64,
    model: String,
    size: String,
    quality: String,
    prompt: String,
    /// The result image, once completed.
    image: Option<String>,
    failure: Option<String>,
    callback: bool,
}

/// A request (or a callback sent) as the page shows it.
#[derive(Serialize)]
struct RequestRow {
    time: String,
    method: String,
    path: String,
    status: u16,
    /// A request refused, or a callback not delivered.
    refused: bool,
    duration_ms: u64,
    task_id: Option<String>,
    param: Option<String>,
    message: Option<String>,
    fault: Option<String>,
    /// What the body held, as the journal keeps it, indented.
    body: Option<String>,
}

/// An upload as the page shows it.
#[derive(Serialize)]
struct UploadRow {
    name: String,
    size_kb: u64,
    url: String,
    average: Option<String>,
}

/// Everything the page shows.
#[derive(Serialize)]
struct PageData {
    base_url: String,
    files_base_url: String,
    tasks: Vec<TaskRow>,
    tasks_held: usize,
    requests: Vec<RequestRow>,
    refused: usize,
    callbacks: Vec<RequestRow>,
    uploads: Vec<UploadRow>,
    uploads_accepted: u64,
    stats: crate::SandboxStats,
    faults: Vec<String>,
}

/// `GET /__sandbox/`.
pub(crate) async fn show(State(state): State<Arc<AppState>>) -> Response {
    let data = collect(&state);
    let mut env = minijinja::Environment::new();
    let rendered = env
        .add_template("sandbox.html", TEMPLATE)
        .and_then(|()| env.get_template("sandbox.html")?.render(&data));
    match rendered {
        Ok(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            html,
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the sandbox's page could not be drawn: {e}"),
        )
            .into_response(),
    }
}

fn collect(state: &AppState) -> PageData {
    let now = Instant::now();
    let tasks: Vec<TaskRow> = state
        .store
        .recent_tasks(SHOWN)
        .iter()
        .map(|task| task_row(state, task, now))
        .collect();
    let (callbacks, entries): (Vec<JournalEntry>, Vec<JournalEntry>) = state
        .journal
        .entries()
        .into_iter()
        .partition(|e| e.operation.as_deref() == Some(CALLBACK_OPERATION));
    let refused = entries.iter().filter(|e| e.status >= 400).count();
    let requests = entries.iter().rev().take(SHOWN).map(request_row).collect();
    let callbacks = callbacks
        .iter()
        .rev()
        .take(SHOWN)
        .map(request_row)
        .collect();
    let uploads = state
        .uploads
        .recent(SHOWN)
        .iter()
        .map(|upload| {
            let described = crate::file_service::describe(state, upload);
            UploadRow {
                name: upload.original_name.clone(),
                size_kb: upload.size.div_ceil(1024),
                url: described.file_url,
                average: upload
                    .average
                    .map(|[r, g, b]| format!("#{r:02x}{g:02x}{b:02x}")),
            }
        })
        .collect();
    PageData {
        base_url: state.base_url.get().cloned().unwrap_or_default(),
        files_base_url: state.files_base_url().to_string(),
        tasks,
        tasks_held: state.store.task_count(),
        requests,
        refused,
        callbacks,
        uploads,
        uploads_accepted: state.uploads.accepted(),
        stats: state.counters.snapshot(),
        faults: state
            .faults
            .lock()
            .map(|queued| queued.iter().map(|f| format!("{f:?}")).collect())
            .unwrap_or_default(),
    }
}

fn task_row(state: &AppState, task: &SimulatedTask, now: Instant) -> TaskRow {
    let (status, progress) = match (task.phase(now), &task.fails_with) {
        (Phase::Pending, _) => ("pending", 0),
        (Phase::Processing(p), _) => ("processing", p),
        (Phase::Done, Some(_)) => ("failed", 0),
        (Phase::Done, None) => ("completed", 100),
    };
    TaskRow {
        id: task.id.clone(),
        status,
        progress,
        model: task.model.clone(),
        size: task.size.map_or("auto".into(), |s| s.to_string()),
        quality: task.quality.map_or("2K".into(), |q| q.to_string()),
        prompt: task.prompt.clone(),
        image: (status == "completed").then(|| crate::results::result_url(state, &task.id)),
        failure: task.fails_with.clone().filter(|_| status == "failed"),
        callback: task.callback_url.is_some(),
    }
}

fn request_row(entry: &JournalEntry) -> RequestRow {
    let seconds = entry.at_unix_ms / 1000;
    RequestRow {
        time: format!(
            "{:02}:{:02}:{:02}",
            (seconds / 3600) % 24,
            (seconds / 60) % 60,
            seconds % 60
        ),
        method: entry.method.clone(),
        path: entry.path.clone(),
        status: entry.status,
        refused: if entry.operation.as_deref() == Some(CALLBACK_OPERATION) {
            !(200..300).contains(&entry.status)
        } else {
            entry.status >= 400
        },
        duration_ms: entry.duration_ms,
        task_id: entry.task_id.clone(),
        param: entry.param.clone(),
        message: entry.message.clone(),
        fault: entry.fault.clone(),
        body: entry
            .body
            .as_ref()
            .map(|body| serde_json::to_string_pretty(body).unwrap_or_default()),
    }
}
