//! Ctrl-C in a busy batch loses nothing: no create is sent after the signal, every create on
//! its way is waited for and its task written to the ledger before the batch exits, so the
//! rerun creates none of them again.

#![cfg(unix)]

use std::collections::HashSet;
use std::io::BufReader;
use std::path::Path;
use std::time::{Duration, Instant};

use nanobanana_sandbox::{Sandbox, SandboxConfig};
use nanobanana_test_kit::{sandbox::fast_config, KEY};

/// The lines (by position among the requests) the ledger at `path` records a task for.
fn ledger_lines(path: &Path) -> HashSet<u64> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|entry| entry["task_id"].is_string())
        .filter_map(|entry| entry["index"].as_u64())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_in_a_busy_batch_records_every_created_task_and_the_rerun_creates_none_again() {
    const LINES: usize = 400;
    let sandbox = Sandbox::start(SandboxConfig {
        api_key: Some(KEY.into()),
        initial_credits: 1e9,
        ..fast_config()
    })
    .await
    .unwrap();
    let env: Vec<(String, String)> = [
        ("EVOLINK_API_KEY", KEY),
        ("EVOLINK_BASE_URL", sandbox.base_url()),
        ("EVOLINK_FILES_BASE_URL", sandbox.files_base_url()),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .to_vec();
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..LINES)
        .map(|i| {
            format!("{{\"prompt\": \"line {i}\", \"quality\": \"1K\", \"output\": \"l{i}.jpg\"}}\n")
        })
        .collect();
    std::fs::write(dir.path().join("jobs.jsonl"), lines).unwrap();
    let ledger = dir.path().join("jobs-images/nanobanana-batch.jsonl");
    let args = ["batch", "jobs.jsonl", "--concurrency", "16"];

    let (path, run_env, watched) = (dir.path().to_path_buf(), env.clone(), ledger.clone());
    let (code, stderr, at_signal) = tokio::task::spawn_blocking(move || {
        let mut command = crate::common::nanobanana_in(&path);
        command
            .args(args)
            .envs(run_env)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        // Mid-flight: once the ledger records some tasks, long before all of them.
        let started = Instant::now();
        let mut at_signal = 0;
        while at_signal < 100 {
            assert!(child.try_wait().unwrap().is_none(), "the batch ended early");
            assert!(started.elapsed() < Duration::from_secs(120), "no progress");
            std::thread::sleep(Duration::from_millis(5));
            at_signal = ledger_lines(&watched).len();
        }
        crate::common::signal(&child, "-INT");
        let (code, stderr) = crate::common::finish(child, stderr, String::new());
        (code, stderr, at_signal)
    })
    .await
    .unwrap();
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("no new request is sent"), "{stderr}");
    assert!(stderr.contains("(--timeout)"), "{stderr}");
    assert!(stderr.contains("Run the same command again"), "{stderr}");
    let recorded = ledger_lines(&ledger);
    let created = sandbox.stats().creates;
    println!(
        "SIGINT with {at_signal} tasks in the ledger: {created} created, {} recorded, of {LINES}",
        recorded.len()
    );
    assert!(recorded.len() < LINES, "the signal landed mid-run");
    assert_eq!(
        created,
        recorded.len() as u64,
        "every task created is in the ledger"
    );

    // The rerun finishes the batch and creates none of the recorded tasks again.
    let path = dir.path().to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        crate::common::nanobanana_in(&path)
            .args(args)
            .envs(env)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with(&format!("{LINES} of {LINES} done")),
        "{stdout}"
    );
    assert_eq!(
        sandbox.stats().creates,
        LINES as u64,
        "every line created exactly once"
    );
    assert_eq!(ledger_lines(&ledger).len(), LINES);
}
