//! A batch's tasks waited for in bulk: counted task queries on the sandbox (a 60-request batch
//! makes at most 20), single queries when the gateway answers the batch query 405 or 404,
//! tasks absent from a batch answer queried singly once, and the observer still hearing every
//! task's answers. Counts, never timings.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::support::*;
use nanobanana_api::{tasks::BatchOptions, types, Event, NanoBanana, Observer};
use nanobanana_sandbox::{Sandbox, SandboxConfig};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The task queries in a sandbox's journal: single (`GET /v1/tasks/{id}`) and batch
/// (`POST /v1/tasks/batch`).
fn task_queries(sandbox: &nanobanana_sandbox::SandboxHandle) -> (usize, usize) {
    let journal = sandbox.requests();
    let count = |operation: &str| {
        journal
            .iter()
            .filter(|e| e.operation.as_deref() == Some(operation))
            .count()
    };
    (count("get_task_detail"), count("get_tasks_batch"))
}

fn lite(prompt: String) -> types::builder::ImageGenerationRequest {
    types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt(prompt)
}

#[tokio::test]
async fn a_60_request_batch_on_the_sandbox_makes_at_most_20_task_queries() {
    // Tasks of 0.9 s that report an estimate of 1 s; the default schedule; all 60 in flight.
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: 0.02,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = NanoBanana::new(&sandbox.client_config(KEY).unwrap()).unwrap();
    let waits = Arc::new(AtomicUsize::new(0));
    let heard = Arc::clone(&waits);
    let client = client.observe(Observer::new(move |event| {
        if let Event::Wait(poll) = event {
            assert!(poll.task_id.starts_with("task-unified-"));
            heard.fetch_add(1, Ordering::SeqCst);
        }
    }));
    let dir = tempfile::tempdir().unwrap();
    let requests = (0..60).map(|i| lite(format!("a cat, line {i}")));
    let results = client
        .generate_many(requests, BatchOptions::new(60, dir.path()))
        .await
        .unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(sandbox.stats().creates, 60);
    let (single, batch) = task_queries(&sandbox);
    eprintln!("60 tasks: {single} single and {batch} batch task queries");
    assert!(
        single + batch <= 20,
        "60 tasks: {single} single and {batch} batch task queries"
    );
    assert!(
        batch >= 1,
        "the batch query is used: {single} single queries"
    );
    // Every task's answers reach the observer: at least one each.
    assert!(waits.load(Ordering::SeqCst) >= 60);
}

/// Creates answer `task-unified-<prompt>`; the batch query answers `batch_status`.
async fn gateway_without_batch(batch_status: u16) -> (MockServer, MockServer) {
    let api = MockServer::start().await;
    let host = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(png_bytes(300)))
        .mount(&host)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .respond_with(Creates(0))
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/tasks/batch"))
        .respond_with(ResponseTemplate::new(batch_status))
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/v1/tasks/task-unified-"))
        .respond_with(Completed { host: host.uri() })
        .mount(&api)
        .await;
    (api, host)
}

/// A create answering `task-unified-<prompt>`, its estimate this many seconds.
struct Creates(u64);

impl Respond for Creates {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let id = format!("task-unified-{}", body["prompt"].as_str().unwrap());
        ResponseTemplate::new(200).set_body_json(created(&id, self.0))
    }
}

/// A task query answering the task completed, one image on `host`.
struct Completed {
    host: String,
}

impl Respond for Completed {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = request.url.path().rsplit('/').next().unwrap().to_string();
        ResponseTemplate::new(200).set_body_json(task(
            &id,
            "completed",
            100,
            &[format!("{}/{id}.png", self.host)],
        ))
    }
}

async fn count(api: &MockServer, method: &str, path_prefix: &str) -> usize {
    api.received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == method && r.url.path().starts_with(path_prefix))
        .count()
}

#[tokio::test]
async fn a_gateway_without_the_batch_query_is_queried_singly_for_the_rest_of_the_batch() {
    for status in [405, 404] {
        let (api, _host) = gateway_without_batch(status).await;
        let dir = tempfile::tempdir().unwrap();
        let requests = (0..8).map(|i| lite(format!("p{i}")));
        let results = client(&api)
            .generate_many(requests, BatchOptions::new(8, dir.path()))
            .await
            .unwrap();
        assert!(results.iter().all(Result::is_ok), "{status}: {results:?}");
        // Asked once, in the first round; never again after its 404 or 405.
        let batch = count(&api, "POST", "/v1/tasks/batch").await;
        assert_eq!(batch, 1, "{status}: the fallback is remembered");
        let single = count(&api, "GET", "/v1/tasks/task-unified-").await;
        assert_eq!(single, 8, "{status}: one single query per task");
    }
}

/// The batch query answering only the tasks in `known` (completed); the others are absent.
struct PartlyKnown {
    known: Vec<String>,
    host: String,
}

impl Respond for PartlyKnown {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let data: Vec<serde_json::Value> = body["task_ids"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|id| id.as_str())
            .filter(|id| self.known.iter().any(|k| k == id))
            .map(|id| task(id, "completed", 100, &[format!("{}/{id}.png", self.host)]))
            .collect();
        ResponseTemplate::new(200).set_body_json(serde_json::json!({ "data": data }))
    }
}

#[tokio::test]
async fn a_task_absent_from_the_batch_answer_is_queried_singly_once() {
    let api = MockServer::start().await;
    let host = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(png_bytes(300)))
        .mount(&host)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        // Due together a second after their creates: one round asks for all four.
        .respond_with(Creates(1))
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/tasks/batch"))
        .respond_with(PartlyKnown {
            known: vec!["task-unified-p0".into(), "task-unified-p1".into()],
            host: host.uri(),
        })
        .mount(&api)
        .await;
    // p2 is there when asked on its own; p3 is not (the usual not-found).
    Mock::given(method("GET"))
        .and(path("/v1/tasks/task-unified-p2"))
        .respond_with(Completed { host: host.uri() })
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/task-unified-p3"))
        .respond_with(ResponseTemplate::new(404).set_body_json(error_body(
            404,
            "invalid_request_error",
            "Task not found",
            None,
        )))
        .mount(&api)
        .await;
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = Arc::clone(&seen);
    let client = client(&api).observe(Observer::new(move |event| {
        if let Event::Wait(poll) = event {
            record.lock().unwrap().push(poll.task_id.clone());
        }
    }));
    let dir = tempfile::tempdir().unwrap();
    let results = client
        .generate_many(
            (0..4).map(|i| lite(format!("p{i}"))),
            BatchOptions::new(4, dir.path()),
        )
        .await
        .unwrap();
    assert!(results[..3].iter().all(Result::is_ok), "{results:?}");
    assert!(
        results[3].as_ref().is_err_and(|e| e.status() == Some(404)),
        "{:?}",
        results[3]
    );
    assert_eq!(count(&api, "POST", "/v1/tasks/batch").await, 1);
    assert_eq!(count(&api, "GET", "/v1/tasks/task-unified-p0").await, 0);
    assert_eq!(count(&api, "GET", "/v1/tasks/task-unified-p2").await, 1);
    assert_eq!(count(&api, "GET", "/v1/tasks/task-unified-p3").await, 1);
    // The three tasks answered were each reported to the observer once.
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(
        seen,
        ["task-unified-p0", "task-unified-p1", "task-unified-p2"]
    );
}
