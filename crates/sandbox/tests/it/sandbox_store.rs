//! The task store's bound: beyond `max_tasks` the oldest finished tasks are forgotten, answered
//! afterwards like an unknown id (the documented 404), and unfinished tasks are never forgotten.

use nanobanana_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use serde_json::{json, Value};

use nanobanana_test_kit::KEY;

async fn create(http: &reqwest::Client, sandbox: &SandboxHandle, prompt: &str) -> String {
    let body: Value = http
        .post(format!("{}/v1/images/generations", sandbox.base_url()))
        .bearer_auth(KEY)
        .json(&json!({"model": "nano-banana-2-lite", "prompt": prompt}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["id"].as_str().unwrap().to_string()
}

async fn query(http: &reqwest::Client, sandbox: &SandboxHandle, id: &str) -> (u16, Value) {
    let response = http
        .get(format!("{}/v1/tasks/{id}", sandbox.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_oldest_finished_tasks_are_forgotten_first_and_then_answer_404() {
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: 0.001, // 45 ms tasks
        max_tasks: 3,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(create(&http, &sandbox, &format!("cat {i}")).await);
    }
    // Until the three have finished (only finished tasks are forgotten).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    for id in &ids {
        while query(&http, &sandbox, id).await.1["status"] != "completed" {
            assert!(std::time::Instant::now() < deadline, "{id} never finished");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    for i in 3..5 {
        ids.push(create(&http, &sandbox, &format!("cat {i}")).await);
    }
    assert_eq!(sandbox.stats().tasks_evicted, 2);
    assert_eq!(sandbox.tasks_held(), 3);
    for (i, id) in ids.iter().enumerate() {
        let (status, body) = query(&http, &sandbox, id).await;
        if i < 2 {
            assert_eq!(status, 404, "task {i} was the oldest finished: forgotten");
            assert_eq!(body["error"]["code"], "task_not_found");
        } else {
            assert_eq!(status, 200, "task {i} is kept");
        }
    }
}

#[tokio::test]
async fn unfinished_tasks_are_never_forgotten() {
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: 1.0, // 45 s tasks: none ends during the test
        max_tasks: 2,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(create(&http, &sandbox, &format!("dog {i}")).await);
    }
    assert_eq!(sandbox.stats().tasks_evicted, 0);
    for id in &ids {
        assert_eq!(query(&http, &sandbox, id).await.0, 200);
    }
}
