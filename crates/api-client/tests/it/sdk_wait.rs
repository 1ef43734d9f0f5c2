//! Waiting: polls scheduled from the estimate, progress events, endings the spec does not
//! list, the deadline, and cancel-safety. On tokio's paused clock, but for the query counts of
//! fresh tasks on the sandbox.

use std::time::Duration;

use std::sync::{Arc, Mutex};

use crate::support::*;
use nanobanana_api::lineup::Resubmit;
use nanobanana_api::tasks::TaskHandle;
use nanobanana_api::WaitEvent;
use nanobanana_api::{types, Error, Event, NanoBanana, Observer};
use tokio::time::Instant;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const ID: &str = "task-unified-1757165031-uyujaw3d";

/// Answers the task query with `bodies` in order, the last one forever after.
async fn serve_task_sequence(server: &MockServer, bodies: &[serde_json::Value]) {
    for (i, body) in bodies.iter().enumerate() {
        let mock =
            Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(body));
        let mock = if i + 1 < bodies.len() {
            mock.up_to_n_times(1)
        } else {
            mock
        };
        mock.mount(server).await;
    }
}

fn handle(estimate_secs: u64) -> TaskHandle {
    TaskHandle::from(
        &serde_json::from_value::<types::ImageGenerationResponse>(created(ID, estimate_secs))
            .unwrap(),
    )
}

async fn polls(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test(start_paused = true)]
async fn a_task_done_on_its_estimate_is_seen_by_the_first_poll() {
    let server = MockServer::start().await;
    serve_task_sequence(
        &server,
        &[task(
            ID,
            "completed",
            100,
            &["https://files.example/a.png".into()],
        )],
    )
    .await;
    let start = Instant::now();
    let task = client(&server).wait(handle(45)).await.unwrap();
    assert_eq!(task.results, ["https://files.example/a.png"]);
    assert_eq!(polls(&server).await, 1);
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(45_900),
        "first poll at estimate + 2 %"
    );
}

#[tokio::test(start_paused = true)]
async fn progress_events_arrive_for_each_poll_and_a_late_task_needs_three() {
    let server = MockServer::start().await;
    serve_task_sequence(
        &server,
        &[
            task(ID, "processing", 90, &[]),
            task(ID, "processing", 97, &[]),
            task(
                ID,
                "completed",
                100,
                &["https://files.example/a.png".into()],
            ),
        ],
    )
    .await;
    let (observer, events) = recorded(|e| (e.poll, e.status.clone(), e.progress));
    let start = Instant::now();
    let task = client(&server)
        .observe(observer)
        .wait(handle(45))
        .await
        .unwrap();
    let events = events.lock().unwrap().clone();
    assert_eq!(task.status, types::TaskStatus::Completed);
    assert_eq!(
        events,
        [
            (1, types::TaskStatus::Processing, Some(90)),
            (2, types::TaskStatus::Processing, Some(97)),
            (3, types::TaskStatus::Completed, Some(100)),
        ]
    );
    // 45.9 s, then +1.35 s, then +2.3625 s (the doubled 2.7 s, capped at 5 % of the task's
    // 47.25 s age): a task 10 % late is seen within 3 polls, never later than 5 % of its age.
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(45_900 + 1_350 + 2_363) // tokio's timer rounds up to 1 ms
    );
}

#[tokio::test(start_paused = true)]
async fn a_naive_one_second_loop_would_have_polled_46_times() {
    // The baseline the schedule is measured against (see the benchmarks).
    let server = MockServer::start().await;
    let mut bodies: Vec<_> = (0..45).map(|_| task(ID, "processing", 50, &[])).collect();
    bodies.push(task(
        ID,
        "completed",
        100,
        &["https://files.example/a.png".into()],
    ));
    serve_task_sequence(&server, &bodies).await;
    let config = config(&server).with_poll_schedule(nanobanana_api::config::PollSchedule::fixed(
        Duration::from_secs(1),
    ));
    NanoBanana::new(&config)
        .unwrap()
        .wait(handle(45))
        .await
        .unwrap();
    assert_eq!(polls(&server).await, 46);
}

#[tokio::test(start_paused = true)]
async fn waiting_reports_every_poll_and_ends_with_the_task() {
    let server = MockServer::start().await;
    serve_task_sequence(
        &server,
        &[
            task(ID, "pending", 0, &[]),
            task(ID, "completed", 100, &["https://f.example/a.png".into()]),
        ],
    )
    .await;
    let (observer, statuses) = recorded(|e| e.status.clone());
    let task = client(&server).observe(observer).wait(ID).await.unwrap();
    assert_eq!(task.status, types::TaskStatus::Completed);
    assert_eq!(
        *statuses.lock().unwrap(),
        [types::TaskStatus::Pending, types::TaskStatus::Completed]
    );
}

#[tokio::test(start_paused = true)]
async fn a_status_the_spec_does_not_list_ends_the_wait_as_a_failure() {
    let server = MockServer::start().await;
    serve_task_sequence(&server, &[task(ID, "expired", 30, &[])]).await;
    let err = client(&server).wait(ID).await.unwrap_err();
    match &err {
        Error::TaskFailed {
            status, task_id, ..
        } => assert_eq!((status.as_str(), task_id.as_str()), ("expired", ID)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_task_ends_the_wait_with_its_own_error() {
    let server = MockServer::start().await;
    serve_task_sequence(&server, &[task(ID, "cancelled", 0, &[])]).await;
    let err = client(&server).wait(ID).await.unwrap_err();
    assert!(
        matches!(&err, Error::Cancelled { task_id } if task_id == ID),
        "{err:?}"
    );
    assert!(err.to_string().contains("no image was made"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_failed_task_says_whether_submitting_again_can_help() {
    for (code, retryable) in [
        ("content_policy_violation", false),
        ("generation_timeout", true),
    ] {
        let server = MockServer::start().await;
        let mut body = task(ID, "failed", 0, &[]);
        body["error"] =
            serde_json::json!({"code": code, "message": "it failed", "type": "task_error"});
        serve_task_sequence(&server, &[body]).await;
        let err = client(&server).wait(ID).await.unwrap_err();
        match &err {
            Error::TaskFailed {
                code: Some(c),
                documented,
                ..
            } => assert_eq!(
                (
                    c.as_str(),
                    documented.is_some_and(|d| d.resubmit == Resubmit::Same)
                ),
                (code, retryable)
            ),
            other => panic!("{other:?}"),
        }
        let text = err.to_string();
        assert!(text.contains(code) && text.contains("it failed"), "{text}");
        assert_key_hidden(&err, &text);
    }
}

#[tokio::test(start_paused = true)]
async fn the_deadline_ends_the_wait_and_names_the_task_to_resume() {
    let server = MockServer::start().await;
    serve_task_sequence(&server, &[task(ID, "processing", 10, &[])]).await;
    let config = config(&server).with_deadline(Some(Duration::from_secs(30)));
    let start = Instant::now();
    let err = NanoBanana::new(&config)
        .unwrap()
        .wait(handle(45))
        .await
        .unwrap_err();
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(30),
        "polled once at the deadline"
    );
    assert_eq!(polls(&server).await, 1);
    match &err {
        Error::Deadline {
            task_id,
            last_status,
            ..
        } => assert_eq!((task_id.as_str(), last_status.as_str()), (ID, "processing")),
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains(&format!("wait(\"{ID}\")")),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_the_wait_stops_polling() {
    let server = MockServer::start().await;
    serve_task_sequence(&server, &[task(ID, "processing", 10, &[])]).await;
    let client = client(&server);
    // Give up after 60 s: the wait future is dropped mid-sleep.
    let outcome = tokio::time::timeout(Duration::from_secs(60), client.wait(handle(45))).await;
    assert!(outcome.is_err(), "still waiting at 60 s");
    // The paused clock jumps to the timeout while a query waits on the server, so the wait may
    // be dropped mid-request: that one request may still land. Ten minutes more of polling
    // would be many queries.
    let polled = polls(&server).await;
    tokio::time::sleep(Duration::from_secs(600)).await;
    let after = polls(&server).await;
    assert!(
        after <= polled + 1,
        "{polled} queries before the drop, {after} ten minutes later"
    );
}

#[tokio::test(start_paused = true)]
async fn a_resumed_task_is_scheduled_from_its_age_and_the_rate_of_its_progress() {
    // A task created 20 s ago elsewhere, at 40 %, then 41 % a second later (the lag cap at
    // that age): 1 point a second, 59 s left, so the next wait is half of it (29.5 s); each
    // projection halves what is left, and the last queries come within 5 % of the task's age.
    let server = MockServer::start().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut bodies = Vec::new();
    for progress in [40, 41, 70, 85, 93, 97, 99] {
        let mut body = task(ID, "processing", progress, &[]);
        body["created"] = serde_json::json!(now - 20);
        bodies.push(body);
    }
    let mut done = task(ID, "completed", 100, &["https://f.example/a.png".into()]);
    done["created"] = serde_json::json!(now - 20);
    bodies.push(done);
    serve_task_sequence(&server, &bodies).await;
    let start = Instant::now();
    let (observer, at) = recorded(move |_| start.elapsed().as_millis());
    client(&server).observe(observer).wait(ID).await.unwrap();
    let at = at.lock().unwrap().clone();
    assert_eq!(polls(&server).await, 8);
    // At once; after the lag cap (age 19-20 s: 0.95-1 s); then half of the projected 56-59 s.
    assert_eq!(at[0], 0);
    assert!((950..=1000).contains(&at[1]), "{at:?}");
    let first_projection = at[2] - at[1];
    assert!(
        (27_500..=30_000).contains(&first_projection),
        "half the projected 59 s: {at:?}"
    );
    // No wait longer than 5 % of the task's age (about 20 s + elapsed) once near the end.
    let last_gap = at[7] - at[6];
    assert!(last_gap <= ((20_000 + at[6]) / 20) + 5, "{at:?}");
}

/// An observer recording `what` of every poll, and what it recorded.
fn recorded<T: Send + 'static>(
    what: impl Fn(&WaitEvent) -> T + Send + Sync + 'static,
) -> (Observer, Arc<Mutex<Vec<T>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let observer = Observer::new(move |event| {
        if let Event::Wait(poll) = event {
            record.lock().unwrap().push(what(poll));
        }
    });
    (observer, seen)
}

/// On the sandbox (real time, tasks of 4.5 s reporting an estimate of 5 s), with the default
/// schedule: how many task queries a wait for a fresh task makes when it starts from the
/// create's answer, and from the task's id alone (counted in the sandbox's journal). A wait
/// from the id that had to find the estimate out would poll every half second.
#[tokio::test]
async fn a_fresh_task_takes_at_most_three_queries_from_its_answer_or_from_its_id() {
    let sandbox = nanobanana_sandbox::Sandbox::start(nanobanana_sandbox::SandboxConfig {
        time_scale: 0.1,
        ..Default::default()
    })
    .await
    .unwrap();
    let config = sandbox
        .client_config(KEY)
        .unwrap()
        .with_poll_schedule(nanobanana_api::config::PollSchedule::default());
    let client = NanoBanana::new(&config).unwrap();
    let request = || {
        types::ImageGenerationRequest::builder()
            .model(types::ImageModel::NanoBanana2Lite)
            .prompt("a cat")
    };
    let (by_answer, by_id) = tokio::join!(client.create(request()), client.create(request()));
    let (by_answer, by_id) = (by_answer.unwrap(), by_id.unwrap());
    let (a, b) = tokio::join!(client.wait(&by_answer), client.wait(by_id.id.as_str()));
    a.unwrap();
    b.unwrap();
    let queries = |id: &str| {
        sandbox
            .requests()
            .iter()
            .filter(|e| {
                e.operation.as_deref() == Some("get_task_detail")
                    && e.task_id.as_deref() == Some(id)
            })
            .count()
    };
    let (from_answer, from_id) = (queries(&by_answer.id), queries(&by_id.id));
    assert!(
        from_answer <= 3,
        "from the create's answer: {from_answer} queries"
    );
    assert!(from_id <= 3, "from the task's id: {from_id} queries");
}

/// On the sandbox (tasks of 4.5 s reporting an estimate of 5 s), a fresh task waited for by a
/// client that did not create it (another process, as `nanobanana task wait ID`), from its id
/// alone: the first answer's `created` and `task_info.estimated_time` schedule the rest, so it
/// takes at most 3 queries (counted in the sandbox's journal) instead of polling its way to
/// the end.
#[tokio::test]
async fn a_fresh_task_waited_from_its_id_by_another_client_takes_at_most_three_queries() {
    let sandbox = nanobanana_sandbox::Sandbox::start(nanobanana_sandbox::SandboxConfig {
        time_scale: 0.1,
        ..Default::default()
    })
    .await
    .unwrap();
    let config = sandbox
        .client_config(KEY)
        .unwrap()
        .with_poll_schedule(nanobanana_api::config::PollSchedule::default());
    let creator = NanoBanana::new(&config).unwrap();
    let created = creator
        .create(
            types::ImageGenerationRequest::builder()
                .model(types::ImageModel::NanoBanana2Lite)
                .prompt("a cat"),
        )
        .await
        .unwrap();
    let other_process = NanoBanana::new(&config).unwrap();
    let task = other_process.wait(created.id.as_str()).await.unwrap();
    assert_eq!(task.status, types::TaskStatus::Completed);
    let queries = sandbox
        .requests()
        .iter()
        .filter(|e| {
            e.operation.as_deref() == Some("get_task_detail")
                && e.task_id.as_deref() == Some(created.id.as_str())
        })
        .count();
    assert!(
        queries <= 3,
        "from the id, in another client: {queries} queries"
    );
}
