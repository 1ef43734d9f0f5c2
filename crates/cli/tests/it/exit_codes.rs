//! The exit-code table, class by class: each code the documentation lists is what a real path
//! of that class exits with, and `--help` lists the same codes as docs/cli.md.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use nanobanana_sandbox::{Fault, Sandbox, SandboxConfig, SandboxHandle};
use nanobanana_test_kit::KEY;

/// Every code of the table, each exercised by a test below.
const EXERCISED: [i32; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 130];

/// Runs the binary with `args` against `target` (a key and base URL; none: the embedded sandbox).
fn run(args: &[&str], target: Option<(&str, &str)>, dir: &Path) -> Output {
    let mut command = crate::common::nanobanana_in(dir);
    command
        .args(args)
        .env("NANOBANANA_SANDBOX_TIME_SCALE", "0.002");
    if let Some((key, base_url)) = target {
        command
            .env("EVOLINK_API_KEY", key)
            .env("EVOLINK_BASE_URL", base_url)
            .env("EVOLINK_FILES_BASE_URL", base_url);
    }
    command.output().expect("the binary runs")
}

async fn run_async(args: &[&str], sandbox: &SandboxHandle) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let base_url = sandbox.base_url().to_string();
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&args, Some((KEY, &base_url)), dir.path())
    })
    .await
    .unwrap()
}

async fn sandbox_with(config: SandboxConfig) -> SandboxHandle {
    Sandbox::start(SandboxConfig {
        api_key: Some(KEY.into()),
        time_scale: 0.002,
        ..config
    })
    .await
    .unwrap()
}

fn assert_exit(output: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    stderr
}

#[test]
fn the_documented_table_and_help_list_the_same_codes_and_each_is_exercised() {
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/cli.md")).unwrap();
    let documented: Vec<i32> = docs
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next()?.trim().parse().ok())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let help = String::from_utf8(run(&["--help"], None, dir.path()).stdout).unwrap();
    let listed: Vec<i32> = help
        .split("Exit codes:")
        .nth(1)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    assert_eq!(documented, EXERCISED);
    assert_eq!(listed, EXERCISED);
}

#[test]
fn code_0_success() {
    let dir = tempfile::tempdir().unwrap();
    assert_exit(
        &run(&["generate", "a cat", "--quality", "1K"], None, dir.path()),
        0,
    );
}

#[test]
fn code_1_saving_files() {
    // `--out-dir` names a file: the image could not be saved there.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
    let stderr = assert_exit(
        &run(
            &["generate", "a cat", "--out-dir", "notes.txt"],
            None,
            dir.path(),
        ),
        1,
    );
    assert!(stderr.contains("names a file, not a directory"), "{stderr}");
}

#[test]
fn code_2_usage() {
    let dir = tempfile::tempdir().unwrap();
    assert_exit(
        &run(&["generate", "a cat", "--retries", "x"], None, dir.path()),
        2,
    );
    assert_exit(&run(&["generate"], None, dir.path()), 2);
    // With --json, also one object on stdout naming the argument; --help is not a failure.
    for (args, param, words) in [
        (
            &["generate", "a cat", "--json", "--size", "3:7"][..],
            "--size",
            "`3:7` is not a valid size",
        ),
        (
            &["generate", "--json"][..],
            "<PROMPT>",
            "required arguments were not provided: <PROMPT>",
        ),
        (
            &["task", "get", "--bogus"][..],
            "--bogus",
            "unexpected argument '--bogus'",
        ),
    ] {
        let output = run(args, None, dir.path());
        assert_exit(&output, 2);
        let failure: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let error = &failure["error"];
        assert_eq!(
            (&error["type"], &error["param"], &error["exit_code"]),
            (&"usage".into(), &param.into(), &2.into()),
            "{failure}"
        );
        assert!(
            error["message"].as_str().unwrap().contains(words),
            "{failure}"
        );
    }
    let help = run(&["generate", "--json", "--help"], None, dir.path());
    assert_exit(&help, 0);
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage: nanobanana generate"));
}

#[test]
fn code_3_invalid_request_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    // Refused before sending: a size the model does not take.
    let stderr = assert_exit(
        &run(
            &[
                "generate",
                "x",
                "--model",
                "gemini-3-pro-image-preview",
                "--size",
                "1:8",
            ],
            None,
            dir.path(),
        ),
        3,
    );
    assert!(stderr.contains("size"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_3_4_5_6_7_by_the_api_answers_status() {
    let sandbox = sandbox_with(SandboxConfig::default()).await;
    for (status, code) in [(404, 3), (401, 4), (402, 5), (429, 6), (503, 7)] {
        sandbox.inject(Fault::Status(status));
        let output = run_async(&["credits", "--retries", "0"], &sandbox).await;
        assert_exit(&output, code);
    }
}

#[test]
fn code_4_no_key() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = assert_exit(&run(&["credits"], None, dir.path()), 4);
    assert!(stderr.contains("EVOLINK_API_KEY"), "{stderr}");
}

#[test]
fn code_7_no_connection() {
    let base_url = format!("http://{}", crate::common::closed_port_address());
    let dir = tempfile::tempdir().unwrap();
    assert_exit(
        &run(
            &["credits", "--retries", "0"],
            Some((KEY, &base_url)),
            dir.path(),
        ),
        7,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_7_a_result_that_cannot_be_downloaded() {
    // Result links that expire at once: the task completes, its image cannot be fetched.
    let sandbox = sandbox_with(SandboxConfig {
        link_ttl: Duration::ZERO,
        ..SandboxConfig::default()
    })
    .await;
    let output = run_async(
        &[
            "generate",
            "a cat",
            "--quality",
            "1K",
            "--retries",
            "0",
            "--out-dir",
            "out",
        ],
        &sandbox,
    )
    .await;
    let stderr = assert_exit(&output, 7);
    assert!(
        stderr.contains("download of result 0 of task task-unified-"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_8_the_task_failed() {
    let sandbox = sandbox_with(SandboxConfig::default()).await;
    sandbox.inject(Fault::FailTask);
    let stderr = assert_exit(
        &run_async(&["generate", "a cat", "--quality", "1K"], &sandbox).await,
        8,
    );
    assert!(stderr.contains("service_error"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_9_the_task_was_cancelled() {
    let sandbox = sandbox_with(SandboxConfig::default()).await;
    let stderr = assert_exit(
        &run_async(
            &["generate", "a cat [sandbox:cancel]", "--quality", "1K"],
            &sandbox,
        )
        .await,
        9,
    );
    assert!(stderr.contains("was cancelled on the server"), "{stderr}");
}

/// Ten 2K lines at 1.6 credits each under `--max-credits 5`: at most three created, the rest
/// left for a rerun, which creates exactly those with a larger budget (nothing paid twice).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_10_a_batch_stopped_at_its_budget() {
    let sandbox = sandbox_with(SandboxConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..10)
        .map(|i| format!("{{\"prompt\": \"cat {i}\", \"quality\": \"2K\"}}\n"))
        .collect();
    std::fs::write(dir.path().join("ten.jsonl"), lines).unwrap();
    let base_url = sandbox.base_url().to_string();
    let batch = |budget: &'static str| {
        let (base_url, path) = (base_url.clone(), dir.path().to_path_buf());
        tokio::task::spawn_blocking(move || {
            run(
                &[
                    "batch",
                    "ten.jsonl",
                    "--concurrency",
                    "4",
                    "--max-credits",
                    budget,
                ],
                Some((KEY, &base_url)),
                &path,
            )
        })
    };
    let output = batch("5").await.unwrap();
    let stderr = assert_exit(&output, 10);
    let created = sandbox.stats().creates;
    assert!(
        (1..=3).contains(&created),
        "{created} created under 5 credits"
    );
    assert!((sandbox.credits_reserved() - 1.6 * created as f64).abs() < 1e-6);
    assert!(
        stderr.contains(&format!("{} line(s) not created", 10 - created))
            && stderr.contains("--max-credits 5")
            && stderr.contains("larger --max-credits"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with(&format!("{created} of 10 done")),
        "{stdout}"
    );

    let output = batch("100").await.unwrap();
    let stderr = assert_exit(&output, 0);
    assert_eq!(
        sandbox.stats().creates,
        10,
        "the rest created, none twice: {stderr}"
    );
    let saved = std::fs::read_dir(dir.path().join("ten-images"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x == "png" || x == "jpg" || x == "webp")
        })
        .count();
    assert_eq!(saved, 10);
}

// Code 130 (interrupted) is exercised in no_silent_waits.rs (SIGINT during a create, SIGTERM
// before an answer) and cli.rs (SIGINT while waiting).
