//! The shell never leaves a person guessing: Ctrl-C during a create keeps the task's id, a
//! slow or silent server is named within seconds, retries say what they wait for, and a query
//! against a server that never answers ends within `--timeout`.

use crate::common::{finish, read_until, signal};
use std::io::{BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nanobanana_sandbox::{Fault, Sandbox, SandboxConfig, SandboxHandle};
use nanobanana_test_kit::KEY;

/// Starts `nanobanana` with `args` against `base_url` with the test key; stderr piped.
fn spawn(args: &[&str], base_url: &str, dir: &Path) -> Child {
    crate::common::nanobanana_in(dir)
        .args(args)
        .env("EVOLINK_API_KEY", KEY)
        .env("EVOLINK_BASE_URL", base_url)
        .env("EVOLINK_FILES_BASE_URL", base_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// A sandbox whose next create answers only after `delay` (the task is created then).
async fn slow_create_sandbox(delay: Duration) -> SandboxHandle {
    let sandbox = Sandbox::start(SandboxConfig {
        api_key: Some(KEY.into()),
        time_scale: 0.01,
        slow_delay: delay,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    sandbox.inject(Fault::Slow);
    sandbox
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_while_the_create_is_on_its_way_waits_for_the_id_and_says_how_to_resume() {
    // The create answers after 4 s; the interrupt comes once the CLI has said (at 2 s) what
    // it is waiting for and from where.
    let sandbox = slow_create_sandbox(Duration::from_secs(4)).await;
    let dir = tempfile::tempdir().unwrap();
    let (base_url, path) = (sandbox.base_url().to_string(), dir.path().to_path_buf());
    let started = Instant::now();
    let (code, stderr, named_after, stdout) = tokio::task::spawn_blocking(move || {
        let mut child = spawn(
            &["generate", "a cat", "-o", "cat.png", "--json"],
            &base_url,
            &path,
        );
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let seen = read_until(&mut stderr, "waiting for the create answer from");
        let named_after = started.elapsed();
        assert!(seen.contains(&base_url), "{seen}");
        signal(&child, "-INT");
        let mut stdout = String::new();
        let mut out = child.stdout.take().unwrap();
        let (code, seen) = finish(child, stderr, seen);
        out.read_to_string(&mut stdout).unwrap();
        (code, seen, named_after, stdout)
    })
    .await
    .unwrap();
    assert!(named_after < Duration::from_secs(6), "{named_after:?}");
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains("waiting up to 60 s for its answer"),
        "{stderr}"
    );
    assert!(stderr.contains("Ctrl-C again abandons it"), "{stderr}");
    // The task the sandbox created is the one named, with the command that picks it up.
    assert_eq!(sandbox.stats().creates, 1);
    let created = sandbox.requests();
    let task_id = created
        .iter()
        .find_map(|r| r.task_id.clone())
        .expect("the journal names the created task");
    assert!(
        stderr.contains(&format!("task {task_id} created and keeps running")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("nanobanana task wait {task_id} -o cat.png")),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["task_id"], task_id.as_str());
    assert_eq!(json["status"], "interrupted");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_abandons_the_create_and_says_a_task_may_exist() {
    let sandbox = slow_create_sandbox(Duration::from_secs(30)).await;
    let dir = tempfile::tempdir().unwrap();
    let (base_url, path) = (sandbox.base_url().to_string(), dir.path().to_path_buf());
    let (code, stderr) = tokio::task::spawn_blocking(move || {
        let mut child = spawn(&["generate", "a cat"], &base_url, &path);
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut seen = read_until(&mut stderr, "waiting for the create answer");
        signal(&child, "-INT");
        seen.push_str(&read_until(&mut stderr, "Ctrl-C again abandons it"));
        signal(&child, "-TERM");
        finish(child, stderr, seen)
    })
    .await
    .unwrap();
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains("terminated again: abandoned the create request"),
        "{stderr}"
    );
    assert!(
        stderr.contains("a task may exist and be billed"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_signal_before_anything_is_sent_stops_at_once_with_130() {
    // `task wait` on a server that never answers: the signal arrives while the command
    // waits; it is handled (a sentence, exit 130), never the default silent death.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", hole.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    for (args, waiting) in [
        (vec!["credits"], "waiting for the credit balance from"),
        (
            vec!["task", "get", "task-unified-1-abc"],
            "waiting for the task from",
        ),
    ] {
        let started = Instant::now();
        let mut child = spawn(&args, &base_url, dir.path());
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let seen = read_until(&mut stderr, waiting);
        signal(&child, "-TERM");
        let (code, seen) = finish(child, stderr, seen);
        assert_eq!(code, Some(130), "{seen}");
        assert!(seen.contains("terminated: stopped"), "{seen}");
        // At once, not when the 60 s timeout ends the query.
        assert!(started.elapsed() < Duration::from_secs(10), "{args:?}");
    }
}

#[test]
fn a_query_to_a_server_that_never_answers_names_it_and_ends_within_the_timeout() {
    // Accepts connections and never answers.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", hole.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_nanobanana"))
        .args(["task", "get", "task-unified-1-abc", "--timeout", "3"])
        .current_dir(dir.path())
        .env("EVOLINK_API_KEY", KEY)
        .env("EVOLINK_BASE_URL", &base_url)
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(7), "{stderr}");
    // --timeout bounds the whole query, retries included (with a margin for the process).
    assert!(took < Duration::from_secs(6), "{took:?}: {stderr}");
    assert!(
        stderr.contains(&format!("waiting for the task from {base_url}")),
        "{stderr}"
    );
    assert!(stderr.contains("--timeout raises it"), "{stderr}");
    assert!(
        stderr.contains("gave up: no answer within --timeout"),
        "{stderr}"
    );
    // --json: the failure is a JSON object on stdout too.
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["error"]["type"], "network");
    assert_eq!(json["error"]["exit_code"], 7);
    drop(hole);
}

#[test]
fn every_retry_says_what_it_waits_for_where_and_when() {
    // A port nobody listens on: connections are refused, which is safe to retry.
    let base_url = format!("http://{}", crate::common::closed_port_address());
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_nanobanana"))
        .args(["credits", "--retries", "2"])
        .current_dir(dir.path())
        .env("EVOLINK_API_KEY", KEY)
        .env("EVOLINK_BASE_URL", &base_url)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(7), "{stderr}");
    let retries: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("get credits: could not connect at"))
        .collect();
    assert_eq!(retries.len(), 2, "{stderr}");
    assert!(retries[0].contains(&base_url), "{stderr}");
    assert!(retries[0].contains("attempt 2 of 3 in"), "{stderr}");
    assert!(retries[1].contains("attempt 3 of 3 in"), "{stderr}");
    // The final message names the address once.
    assert_eq!(stderr.matches("base URL").count(), 1, "{stderr}");
}

#[test]
fn a_batch_says_what_it_will_do_before_its_first_task_ends() {
    // stderr is a pipe (no progress bar): the first line comes at once, before any result.
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..3)
        .map(|i| format!("{{\"prompt\": \"banner {i}\", \"quality\": \"1K\"}}\n"))
        .collect();
    std::fs::write(dir.path().join("b.jsonl"), lines).unwrap();
    let output = crate::common::nanobanana_in(dir.path())
        .args(["batch", "b.jsonl"])
        .env("NANOBANANA_SANDBOX_TIME_SCALE", "0.002")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let said: Vec<&str> = stderr.lines().collect();
    let first = said
        .iter()
        .position(|l| l.starts_with("batch: 3 line(s), 3 to create (0 saved by earlier runs)"))
        .unwrap_or_else(|| panic!("no first line: {stderr}"));
    assert!(said[first].contains("b-images"), "{stderr}");
    let done: Vec<usize> = said
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("line ") && l.ends_with(": done"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(done.len(), 3, "{stderr}");
    assert!(done.iter().all(|i| *i > first), "{stderr}");
    assert_eq!(
        first, 0,
        "the very first line, before the sandbox's note: {stderr}"
    );

    // A rerun counts what the ledger says is saved.
    let output = crate::common::nanobanana_in(dir.path())
        .args(["batch", "b.jsonl"])
        .env("NANOBANANA_SANDBOX_TIME_SCALE", "0.002")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("batch: 3 line(s), 0 to create (3 saved by earlier runs)"),
        "{stderr}"
    );
}
