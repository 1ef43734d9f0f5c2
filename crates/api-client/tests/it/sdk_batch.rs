//! Batches: results in input order, one shared backoff on 429, and resuming from the ledger
//! without creating (and paying for) a task twice.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::*;
use nanobanana_api::{tasks::BatchOptions, types, NanoBanana};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Creates: the first answered 429 (`Retry-After: 1`), the rest create `task-unified-<prompt>`.
/// Records when each create arrived.
struct Creates {
    arrivals: Arc<Mutex<Vec<(Instant, u16)>>>,
    seen: AtomicUsize,
    first_is_429: bool,
}

impl Respond for Creates {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let status = if n == 0 && self.first_is_429 {
            429
        } else {
            200
        };
        self.arrivals.lock().unwrap().push((Instant::now(), status));
        if status == 429 {
            return ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(error_body(
                    429,
                    "rate_limit_error",
                    "Rate limit exceeded",
                    None,
                ));
        }
        let id = format!("task-unified-{}", body["prompt"].as_str().unwrap());
        ResponseTemplate::new(200).set_body_json(created(&id, 0))
    }
}

/// Task queries: every task is complete, with one image on `host`.
struct Tasks {
    host: String,
}

impl Respond for Tasks {
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

struct Fixture {
    api: MockServer,
    arrivals: Arc<Mutex<Vec<(Instant, u16)>>>,
    _host: MockServer,
}

async fn fixture(first_is_429: bool) -> Fixture {
    let api = MockServer::start().await;
    let host = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(png_bytes(300)))
        .mount(&host)
        .await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .respond_with(Creates {
            arrivals: arrivals.clone(),
            seen: AtomicUsize::new(0),
            first_is_429,
        })
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/v1/tasks/"))
        .respond_with(Tasks { host: host.uri() })
        .mount(&api)
        .await;
    Fixture {
        api,
        arrivals,
        _host: host,
    }
}

fn requests(prompts: &[&str]) -> Vec<types::ImageGenerationRequest> {
    prompts
        .iter()
        .map(|p| {
            types::ImageGenerationRequest::builder()
                .model(types::ImageModel::NanoBanana2Lite)
                .prompt(*p)
                .try_into()
                .unwrap()
        })
        .collect()
}

async fn creates(api: &MockServer) -> usize {
    api.received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/v1/images/generations")
        .count()
}

#[tokio::test]
async fn results_come_back_in_input_order_and_one_429_holds_back_the_whole_batch() {
    let f = fixture(true).await;
    let dir = tempfile::tempdir().unwrap();
    let prompts = ["p0", "p1", "p2", "p3", "p4"];
    let results = client(&f.api)
        .generate_many(requests(&prompts), BatchOptions::new(2, dir.path()))
        .await
        .unwrap();

    let ids: Vec<String> = results
        .iter()
        .map(|r| r.as_ref().unwrap().task.id.clone())
        .collect();
    assert_eq!(ids, prompts.map(|p| format!("task-unified-{p}")));
    for (i, result) in results.iter().enumerate() {
        assert!(result.as_ref().unwrap().files[0].ends_with(format!("task-unified-p{i}-0.png")));
    }

    let arrivals = f.arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.iter().filter(|(_, s)| *s == 429).count(), 1);
    assert_eq!(
        arrivals.len(),
        6,
        "5 creates plus one retry, none lost or duplicated"
    );
    let (limited_at, _) = arrivals[0];
    // The two first creates were in flight together; every later one waited for the shared
    // gate, though the other slot was free long before the second was up.
    for (at, _) in &arrivals[2..] {
        assert!(
            *at - limited_at >= Duration::from_millis(950),
            "sent {:?} after the 429",
            *at - limited_at
        );
    }
}

#[tokio::test]
async fn a_ledger_resumes_submitted_tasks_instead_of_paying_again() {
    let f = fixture(false).await;
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("batch.jsonl");
    let batch = requests(&["a", "b", "c"]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // A previous run got as far as submitting the first two, then was interrupted.
    let mut lines = String::new();
    for (index, request) in batch.iter().take(2).enumerate() {
        let entry = ledger_entry(
            index,
            request.clone(),
            format!("task-unified-earlier-{index}"),
            now - 60,
        );
        lines.push_str(&serde_json::to_string(&entry).unwrap());
        lines.push('\n');
    }
    lines.push_str("{\"index\": 2, \"trunc"); // a line cut by the crash
    std::fs::write(&ledger, lines).unwrap();

    let options = BatchOptions::new(3, dir.path().join("out")).with_ledger(&ledger);
    let results = client(&f.api)
        .generate_many(batch.clone(), options)
        .await
        .unwrap();
    let ids: Vec<String> = results
        .iter()
        .map(|r| r.as_ref().unwrap().task.id.clone())
        .collect();
    assert_eq!(
        ids,
        [
            "task-unified-earlier-0",
            "task-unified-earlier-1",
            "task-unified-c"
        ]
    );
    assert_eq!(
        creates(&f.api).await,
        1,
        "only the request that was never submitted is created"
    );

    // The ledger now lists the new task too; a third run creates nothing.
    let text = std::fs::read_to_string(&ledger).unwrap();
    assert!(text.contains("task-unified-c"), "{text}");
    let options = BatchOptions::new(3, dir.path().join("again")).with_ledger(&ledger);
    client(&f.api)
        .generate_many(batch.clone(), options)
        .await
        .unwrap();
    assert_eq!(creates(&f.api).await, 1);

    // The same batch into the same directory: every item is done already, per the ledger,
    // with its files in place: no call at all, every item reported done.
    let calls = f.api.received_requests().await.unwrap().len();
    let options = BatchOptions::new(3, dir.path().join("again")).with_ledger(&ledger);
    let rerun = client(&f.api).generate_many(batch, options).await.unwrap();
    assert!(rerun.iter().all(Result::is_ok), "{rerun:?}");
    assert_eq!(f.api.received_requests().await.unwrap().len(), calls);
}

#[tokio::test]
async fn a_ledger_in_a_new_directory_is_created_and_named_items_keep_their_names() {
    let f = fixture(false).await;
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("fresh/dir/ledger.jsonl");
    let batch: Vec<nanobanana_api::tasks::BatchRequest> = requests(&["a", "b"])
        .into_iter()
        .zip(["fox.png", "whale"])
        .map(|(r, name)| nanobanana_api::tasks::BatchRequest::named(r, name))
        .collect();
    let out = dir.path().join("fresh/images");
    let options = BatchOptions::new(2, &out).with_ledger(&ledger);
    let results = client(&f.api).generate_many(batch, options).await.unwrap();
    let files: Vec<_> = results
        .iter()
        .map(|r| r.as_ref().unwrap().files[0].clone())
        .collect();
    // The image's own type decides the extension.
    assert_eq!(files, [out.join("fox.png"), out.join("whale.png")]);
    assert!(ledger.is_file());
}

#[tokio::test]
async fn a_changed_or_expired_request_is_not_resumed() {
    let f = fixture(false).await;
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("batch.jsonl");
    let old = requests(&["old prompt", "b"]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let entries = [
        ledger_entry(0, old[0].clone(), "task-unified-x".into(), now),
        ledger_entry(1, old[1].clone(), "task-unified-y".into(), now - 25 * 3600),
    ];
    let lines: String = entries
        .iter()
        .map(|e| serde_json::to_string(e).unwrap() + "\n")
        .collect();
    std::fs::write(&ledger, lines).unwrap();
    let batch = requests(&["new prompt", "b"]);
    let options = BatchOptions::new(2, dir.path().join("out")).with_ledger(&ledger);
    let results = client(&f.api).generate_many(batch, options).await.unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        creates(&f.api).await,
        2,
        "a changed request and a 25 h old one are created anew"
    );
}

/// A ledger line as an earlier run wrote it (before fingerprints): the request and its task.
fn ledger_entry(
    index: usize,
    request: types::ImageGenerationRequest,
    task_id: String,
    created_at: u64,
) -> serde_json::Value {
    serde_json::json!({
        "index": index, "request": request, "task_id": task_id, "created_at": created_at
    })
}

#[tokio::test]
async fn a_second_batch_on_a_ledger_in_use_is_refused_before_sending_naming_the_holder() {
    use std::io::Write as _;
    let server = MockServer::start().await;
    let client = client(&server);
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("batch.jsonl");
    // Another process holds the ledger's lock (an OS lock: a killed holder releases it).
    let mut holder = std::fs::File::create(dir.path().join("batch.jsonl.lock")).unwrap();
    holder.try_lock().unwrap();
    write!(holder, "4242").unwrap();

    let options = BatchOptions::new(2, dir.path()).with_ledger(&ledger);
    let err = client
        .generate_many(requests(&["a", "b"]), options.clone())
        .await
        .unwrap_err();
    match &err {
        nanobanana_api::Error::LedgerInUse { holder, .. } => assert_eq!(*holder, Some(4242)),
        other => panic!("expected the ledger in use, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("batch.jsonl")
            && text.contains("process 4242")
            && text.contains("nothing was sent"),
        "{text}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());

    // Released (the other batch ended, or was killed): this one runs.
    drop(holder);
    mount_completed_task(&server, "task-unified-1-l", &[]).await;
    let results = client
        .generate_many(requests(&["a"]), options)
        .await
        .unwrap();
    assert!(results[0].is_ok(), "{:?}", results[0]);
}

#[tokio::test]
async fn names_that_would_overwrite_are_refused_before_anything_is_sent() {
    use nanobanana_api::tasks::BatchRequest;
    let f = fixture(false).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.png"), "the user's own").unwrap();
    let ledger = dir.path().join("ledger.jsonl");
    let named = |names: &[&str]| -> Vec<BatchRequest> {
        requests(&["a", "b", "c", "d", "e"][..names.len()])
            .into_iter()
            .zip(names)
            .map(|(r, name)| BatchRequest::named(r, *name))
            .collect()
    };
    let options = BatchOptions::new(2, dir.path()).with_ledger(&ledger);
    let err = client(&f.api)
        .generate_many(
            named(&[
                "same.png",
                "SAME.png",
                "index.html",
                "keep.png",
                "nul\0.png",
            ]),
            options.clone(),
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, nanobanana_api::Error::Validation(_)),
        "{text}"
    );
    assert_eq!(err.hints(), [nanobanana_api::error::Hint::OverwriteInBatch]);
    for said in [
        "request 0: the name `same.png` is also the name of request(s) 1",
        "request 1: the name `SAME.png` is also the name of request(s) 0",
        "request 2: the name `index.html` is the name of the batch's contact sheet",
        "request 3: the name `keep.png` names",
        "request 4: the name `nul\\0.png` contains a control character",
        "nothing was sent",
    ] {
        assert!(text.contains(said), "{said}: {text}");
    }
    assert_eq!(creates(&f.api).await, 0);
    assert_eq!(
        std::fs::read(dir.path().join("keep.png")).unwrap(),
        b"the user's own"
    );

    // Overwriting is asked for: the file is replaced. The rerun finds it is the batch's own.
    let results = client(&f.api)
        .generate_many(named(&["keep.png"]), options.clone().overwrite(true))
        .await
        .unwrap();
    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert_ne!(
        std::fs::read(dir.path().join("keep.png")).unwrap(),
        b"the user's own"
    );
    let results = client(&f.api)
        .generate_many(named(&["keep.png"]), options)
        .await
        .unwrap();
    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert_eq!(creates(&f.api).await, 1);
}

/// Creates that take `delay` to answer, each creating `task-unified-<prompt>`.
async fn slow_creates(delay: Duration) -> Fixture {
    let api = MockServer::start().await;
    let host = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(png_bytes(300)))
        .mount(&host)
        .await;
    struct Slow(Duration);
    impl Respond for Slow {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            let id = format!("task-unified-{}", body["prompt"].as_str().unwrap());
            ResponseTemplate::new(200)
                .set_body_json(created(&id, 0))
                .set_delay(self.0)
        }
    }
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .respond_with(Slow(delay))
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/v1/tasks/"))
        .respond_with(Tasks { host: host.uri() })
        .mount(&api)
        .await;
    Fixture {
        api,
        arrivals: Arc::default(),
        _host: host,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_batch_sends_no_new_create_and_records_every_create_on_its_way() {
    use nanobanana_api::tasks::BatchStop;
    let f = slow_creates(Duration::from_millis(400)).await;
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.jsonl");
    let stop = BatchStop::new();
    let options = BatchOptions::new(3, dir.path())
        .with_ledger(&ledger)
        .stopped_by(stop.clone());
    let prompts: Vec<String> = (0..12).map(|i| format!("p{i}")).collect();
    let prompts: Vec<&str> = prompts.iter().map(String::as_str).collect();
    let client = client(&f.api);
    let run = client.generate_many(requests(&prompts), options);
    let stopper = async {
        // Stop while the first three creates are on their way (they take 400 ms to answer).
        while stop.creates_in_flight().len() < 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        stop.stop();
    };
    let (results, ()) = tokio::join!(run, stopper);
    let results = results.unwrap();
    let sent = creates(&f.api).await;
    assert_eq!(sent, 3, "no create after the stop");
    assert!(stop.creates_in_flight().is_empty());
    let recorded: Vec<serde_json::Value> = std::fs::read_to_string(&ledger)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        // Each create's key is recorded before it is sent, its task once answered.
        .filter(|entry| entry.get("task_id").is_some())
        .collect();
    assert_eq!(recorded.len(), 3, "each create answered is in the ledger");
    for (index, result) in results.iter().enumerate() {
        match result {
            Err(nanobanana_api::Error::Stopped { task_id: Some(id) }) => {
                assert!(
                    index < 3 && *id == format!("task-unified-p{index}"),
                    "{index}: {id}"
                )
            }
            Err(nanobanana_api::Error::Stopped { task_id: None }) => assert!(index >= 3),
            other => panic!("{index}: {other:?}"),
        }
    }

    // The same batch again, not stopped: the three are resumed, nine created.
    let options = BatchOptions::new(3, dir.path()).with_ledger(&ledger);
    let results = client
        .generate_many(requests(&prompts), options)
        .await
        .unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(creates(&f.api).await, 12);
}

/// The creates the sandbox answered, in order: (key, replayed).
fn sandbox_creates(sandbox: &nanobanana_sandbox::SandboxHandle) -> Vec<(Option<String>, bool)> {
    sandbox
        .requests()
        .into_iter()
        .filter(|e| e.operation.as_deref() == Some("create_image_generation"))
        .map(|e| (e.idempotency_key, e.replayed))
        .collect()
}

/// A create the sandbox made but whose answer was lost (the connection closed, and this client
/// does not resend): the ledger already holds its key, so the rerun sends it again with that key
/// and gets the original task back. Every line is created once, every image saved.
#[tokio::test]
async fn a_create_whose_answer_was_lost_is_resent_on_rerun_with_its_recorded_key() {
    let sandbox = nanobanana_sandbox::Sandbox::start(nanobanana_sandbox::SandboxConfig {
        time_scale: 0.001,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.jsonl");
    let requests = || {
        ["a cat", "a dog", "a fox"].map(|p| {
            types::ImageGenerationRequest::builder()
                .model(types::ImageModel::NanoBanana2Lite)
                .prompt(p)
        })
    };
    let options = || BatchOptions::new(1, dir.path().join("out")).with_ledger(&ledger);
    let mut no_resend = nanobanana_api::config::RetryPolicy::default();
    no_resend.resend_unknown_creates = false;
    let first = NanoBanana::new(
        &sandbox
            .client_config(KEY)
            .unwrap()
            .with_retry_policy(no_resend),
    )
    .unwrap();
    // The first call is line 0's create: made, then its connection closed without an answer.
    sandbox.inject(nanobanana_sandbox::Fault::Drop);
    let results = first.generate_many(requests(), options()).await.unwrap();
    assert!(results[0].is_err(), "{:?}", results[0]);
    assert!(results[1].is_ok() && results[2].is_ok(), "{results:?}");
    assert_eq!(sandbox.stats().creates, 3, "line 0's task exists");
    let lost_key = sandbox_creates(&sandbox)[0].0.clone().expect("a key");
    let text = std::fs::read_to_string(&ledger).unwrap();
    assert!(
        text.lines().next().unwrap().contains(&lost_key)
            && !text.lines().next().unwrap().contains("task_id"),
        "the key is recorded before the create is sent, without a task: {text}"
    );

    let second = NanoBanana::new(&sandbox.client_config(KEY).unwrap()).unwrap();
    let results = second.generate_many(requests(), options()).await.unwrap();
    for result in &results {
        let saved = result.as_ref().unwrap();
        assert!(saved.files.iter().all(|f| f.is_file()), "{saved:?}");
    }
    assert_eq!(sandbox.stats().creates, 3, "every line created once");
    let creates = sandbox_creates(&sandbox);
    assert_eq!(
        creates.len(),
        4,
        "three creates, and line 0's again: {creates:?}"
    );
    assert_eq!(creates[3], (Some(lost_key), true), "the same key, replayed");
}
