//! Task queries counted in an in-process sandbox's journal while the CLI runs as its own
//! process: a 60-line `nanobanana batch` waits in bulk (at most 20 task queries, single and
//! batch), and `nanobanana task wait ID` for a fresh task takes at most 3. Counts, not timings.

use std::path::Path;
use std::process::Output;

use nanobanana_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use nanobanana_test_kit::KEY;

/// Runs the binary against `sandbox`, off the async runtime so the sandbox keeps serving.
async fn nanobanana(args: &[&str], sandbox: &SandboxHandle, dir: &Path) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let (base, files) = (
        sandbox.base_url().to_string(),
        sandbox.files_base_url().to_string(),
    );
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        crate::common::nanobanana_in(&dir)
            .args(&args)
            .env("EVOLINK_API_KEY", KEY)
            .env("EVOLINK_BASE_URL", base)
            .env("EVOLINK_FILES_BASE_URL", files)
            .output()
            .expect("the binary runs")
    })
    .await
    .unwrap()
}

/// The task queries in the journal (`GET /v1/tasks/{id}` and `POST /v1/tasks/batch`), of
/// `task` alone when given.
fn task_queries(sandbox: &SandboxHandle, task: Option<&str>) -> usize {
    sandbox
        .requests()
        .iter()
        .filter(|e| {
            matches!(
                e.operation.as_deref(),
                Some("get_task_detail" | "get_tasks_batch")
            )
        })
        .filter(|e| task.is_none() || e.task_id.as_deref() == task)
        .count()
}

async fn sandbox(time_scale: f64) -> SandboxHandle {
    Sandbox::start(SandboxConfig {
        time_scale,
        api_key: Some(KEY.into()),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_60_line_batch_makes_at_most_20_task_queries() {
    // Tasks of 0.9 s reporting an estimate of 1 s; every line in flight.
    let sandbox = sandbox(0.02).await;
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..60)
        .map(|i| format!("{{\"prompt\": \"a cat, line {i}\"}}\n"))
        .collect();
    std::fs::write(dir.path().join("cats.jsonl"), lines).unwrap();
    let output = nanobanana(
        &["batch", "cats.jsonl", "--concurrency", "60"],
        &sandbox,
        dir.path(),
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(sandbox.stats().creates, 60);
    let queries = task_queries(&sandbox, None);
    eprintln!("60-line batch: {queries} task queries");
    assert!(queries <= 20, "60 lines: {queries} task queries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_wait_for_a_fresh_task_takes_at_most_3_queries() {
    // Tasks of 4.5 s reporting an estimate of 5 s; the wait starts as soon as the task exists.
    let sandbox = sandbox(0.1).await;
    let client = nanobanana_test_kit::sandbox::fast_client(&sandbox);
    let created = client
        .create(nanobanana_test_kit::sandbox::lite_request("a cat"))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let output = nanobanana(&["task", "wait", &created.id], &sandbox, dir.path()).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let queries = task_queries(&sandbox, Some(&created.id));
    eprintln!("task wait: {queries} task queries");
    assert!(queries <= 3, "a fresh task from its id: {queries} queries");
}
