//! Callbacks as the API documents them: the retry schedule, giving up after three retries, a
//! local receiver when insecure callbacks are allowed, and what a graceful shutdown does with
//! the pending ones; each callback sent is in the journal and on the page.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use nanobanana_sandbox::callbacks::{BoxFuture, CallbackTransport};
use nanobanana_sandbox::journal::CALLBACK_OPERATION;
use nanobanana_sandbox::{JournalEntry, Sandbox, SandboxConfig, SandboxHandle};
use nanobanana_test_kit::sandbox::{fast_config, raw_create};
use serde_json::{json, Value};

/// Records callback attempts and answers each from a script.
/// The callbacks a receiver got: when, and the body.
type Attempts = Arc<Mutex<Vec<(tokio::time::Instant, Value)>>>;

struct ScriptedReceiver {
    answers: Mutex<Vec<u16>>,
    attempts: Attempts,
}

impl CallbackTransport for ScriptedReceiver {
    fn post(
        &self,
        _url: String,
        body: Vec<u8>,
        _timeout: Duration,
    ) -> BoxFuture<Result<u16, String>> {
        let answer = self.answers.lock().unwrap().remove(0);
        self.attempts.lock().unwrap().push((
            tokio::time::Instant::now(),
            serde_json::from_slice(&body).unwrap(),
        ));
        Box::pin(async move {
            if answer == 0 {
                Err("connection refused".into())
            } else {
                Ok(answer)
            }
        })
    }
}

#[tokio::test(start_paused = true)]
async fn callbacks_follow_the_documented_retry_schedule() {
    let (sandbox, attempts) = scripted_receiver_sandbox(vec![500, 0, 204], 3).await;
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat", "callback_url": "https://hooks.example.com/nb"});
    let (status, created, _) = raw_create(&sandbox, body).await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_secs(60)).await;

    let attempts = attempts.lock().unwrap().clone();
    assert_eq!(attempts.len(), 3, "500, refused, then 204");
    let gaps: Vec<Duration> = attempts.windows(2).map(|w| w[1].0 - w[0].0).collect();
    assert_eq!(gaps, [Duration::from_secs(1), Duration::from_secs(2)]);
    let delivered = &attempts[2].1;
    assert_eq!(
        (delivered["id"].clone(), delivered["status"].clone()),
        (created["id"].clone(), json!("completed"))
    );
    assert_eq!(sandbox.stats().callbacks_delivered, 1);
    let [sent] = callbacks_journaled(&sandbox).try_into().unwrap();
    assert_eq!(
        (
            sent.method.as_str(),
            sent.path.as_str(),
            sent.status,
            sent.task_id.as_deref()
        ),
        (
            "POST",
            "https://hooks.example.com/nb",
            204,
            created["id"].as_str()
        )
    );
    assert_eq!(sent.message.as_deref(), Some("delivered on attempt 3 of 4"));
}

/// The callbacks the sandbox's journal lists, oldest first.
fn callbacks_journaled(sandbox: &SandboxHandle) -> Vec<JournalEntry> {
    sandbox
        .requests()
        .into_iter()
        .filter(|e| e.operation.as_deref() == Some(CALLBACK_OPERATION))
        .collect()
}

/// A sandbox of 1 s tasks whose callbacks go to a receiver answering 500 `answers` times, and
/// the times of the attempts it received.
async fn refusing_receiver_sandbox(answers: usize) -> (SandboxHandle, Attempts) {
    scripted_receiver_sandbox(vec![500; answers], 1).await
}

/// A sandbox of `task_secs` tasks (real time) whose callbacks go to a receiver answering from
/// `answers` (0: the connection is refused), and the attempts it received.
async fn scripted_receiver_sandbox(answers: Vec<u16>, task_secs: u64) -> (SandboxHandle, Attempts) {
    let attempts = Attempts::default();
    let receiver = ScriptedReceiver {
        answers: Mutex::new(answers),
        attempts: attempts.clone(),
    };
    let config = SandboxConfig {
        time_scale: 1.0,
        estimated_time_secs: task_secs,
        // The receiver's name resolves to a public address without asking DNS.
        dns_overrides: vec![("hooks.example.com".into(), [93, 184, 215, 14].into())],
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start_with_transport(config, Arc::new(receiver))
        .await
        .unwrap();
    (sandbox, attempts)
}

#[tokio::test(start_paused = true)]
async fn a_callback_is_given_up_after_three_retries() {
    let (sandbox, attempts) = refusing_receiver_sandbox(4).await;
    let hook = "https://hooks.example.com/nb?token=s3cret";
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat", "callback_url": hook});
    raw_create(&sandbox, body).await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    let gaps: Vec<u64> = attempts
        .lock()
        .unwrap()
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).as_secs())
        .collect();
    assert_eq!(gaps, [1, 2, 4]);
    assert_eq!(sandbox.stats().callbacks_failed, 1);
    // Journaled without the URL's query (it may carry the receiver's secret), and on the page
    // as not delivered.
    let [given_up] = callbacks_journaled(&sandbox).try_into().unwrap();
    assert_eq!(
        (given_up.path.as_str(), given_up.status),
        ("https://hooks.example.com/nb?…", 500)
    );
    let outcome = "given up after 4 attempts; the last was answered 500";
    assert_eq!(given_up.message.as_deref(), Some(outcome));
    let page = reqwest::get(format!("{}/__sandbox/", sandbox.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row = page
        .split("<tr class=\"refused\">")
        .find(|row| row.contains(outcome))
        .expect("the callback's row, highlighted");
    // minijinja escapes `/` as `&#x2f;` in HTML.
    assert!(row.contains("hooks.example.com&#x2f;nb?…</code>"), "{row}");
    assert!(row.contains(r#"<td class="status-code">500</td>"#), "{row}");
    assert!(!page.contains("s3cret"));
}

#[tokio::test]
async fn a_local_receiver_gets_the_task_when_insecure_callbacks_are_allowed() {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Value>(1);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let tx = tx.clone();
            async move {
                tx.send(body).await.unwrap();
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let sandbox = Sandbox::start(SandboxConfig {
        allow_insecure_callbacks: true,
        ..fast_config()
    })
    .await
    .unwrap();
    // The SDK itself refuses http callbacks (the API does); a local test sends the request raw.
    let body =
        json!({"model": "nano-banana-2-lite", "prompt": "a cat", "callback_url": hook.clone()});
    let mut journal = sandbox.watch_requests();
    let (status, created, _) = raw_create(&sandbox, body).await;
    assert_eq!(status, 200, "allowed by the flag");
    let delivered = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(delivered["id"], created["id"]);
    assert_eq!(delivered["status"], "completed");
    assert!(delivered["results"][0]
        .as_str()
        .unwrap()
        .starts_with(sandbox.files_base_url()));
    // The receiver has the body before the sandbox has read its 204: the journal says when.
    let sent = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let entry = journal.recv().await.unwrap();
            if entry.operation.as_deref() == Some(CALLBACK_OPERATION) {
                return entry;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!((sent.path, sent.status), (hook, 204));
    assert_eq!(sandbox.stats().callbacks_delivered, 1);
}

#[tokio::test(start_paused = true)]
async fn a_graceful_shutdown_gives_pending_callbacks_one_last_attempt_and_says_what_it_dropped() {
    let (sandbox, attempts) = refusing_receiver_sandbox(8).await;
    let create = |prompt: &str| json!({"model": "nano-banana-2-lite", "prompt": prompt, "callback_url": "https://hooks.example.com/nb"});
    raw_create(&sandbox, create("ended")).await;
    // The first task ends at 1 s; its callback fails and waits 1 s before its first retry.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    raw_create(&sandbox, create("running")).await;
    assert_eq!(attempts.lock().unwrap().len(), 1);
    let mut journal = sandbox.watch_requests();
    let started = tokio::time::Instant::now();
    let stats = sandbox.shutdown_within(Duration::from_secs(10)).await;
    // The ended task's callback made its next attempt at once, and no more; the running
    // task's callback was dropped; nothing is left pending; no need to wait out the grace.
    assert_eq!(attempts.lock().unwrap().len(), 2);
    assert_eq!(
        (
            stats.callbacks_failed,
            stats.callbacks_dropped,
            stats.callbacks_pending
        ),
        (1, 1, 0)
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // Journaled as the sandbox stopped; the dropped one was never sent, so it is not there.
    let mut sent = Vec::new();
    while let Ok(entry) = journal.try_recv() {
        sent.extend(
            entry
                .message
                .filter(|_| entry.operation.as_deref() == Some(CALLBACK_OPERATION)),
        );
    }
    assert_eq!(
        sent,
        ["given up after 2 attempts (the sandbox was stopping); the last was answered 500"]
    );
}
