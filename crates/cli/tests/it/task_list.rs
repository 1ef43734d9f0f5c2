//! `nanobanana task list` against an in-process sandbox: the tasks just made, as JSON and as
//! a table, filtered.

use std::path::Path;
use std::process::Output;

use nanobanana_sandbox::SandboxHandle;
use nanobanana_test_kit::sandbox::{fast_client, lite_request, start_keyed};
use nanobanana_test_kit::KEY as SECRET;

/// Runs the binary against `sandbox`, off the async runtime so the sandbox keeps serving.
async fn nanobanana(args: &[&str], sandbox: &SandboxHandle, dir: &Path) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let env = [
        ("EVOLINK_API_KEY", SECRET.to_string()),
        ("EVOLINK_BASE_URL", sandbox.base_url().to_string()),
        (
            "EVOLINK_FILES_BASE_URL",
            sandbox.files_base_url().to_string(),
        ),
    ];
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut command = crate::common::nanobanana_in(&dir);
        command.args(&args);
        for (k, v) in env {
            command.env(k, v);
        }
        command.output().expect("the binary runs")
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn task_list_shows_the_tasks_just_made() {
    let sandbox = start_keyed(0.02).await;
    let client = fast_client(&sandbox);
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            client
                .create(lite_request(&format!("cat {i}")))
                .await
                .unwrap()
                .id
                .clone(),
        );
    }
    let dir = tempfile::tempdir().unwrap();

    let listed = nanobanana(
        &["task", "list", "--json", "--since", "10m"],
        &sandbox,
        dir.path(),
    )
    .await;
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let shown: Vec<&str> = json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    let newest_first: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    assert_eq!(shown, newest_first);
    assert_eq!(json["total"], 3);

    let limited = nanobanana(&["task", "list", "--limit", "2"], &sandbox, dir.path()).await;
    let table = String::from_utf8_lossy(&limited.stdout);
    assert!(table.starts_with("ID"), "{table}");
    assert!(
        table.contains(&ids[2]) && table.contains(&ids[1]) && !table.contains(&ids[0]),
        "{table}"
    );
    assert!(table.contains("--limit shows more"), "{table}");

    let none = nanobanana(
        &["task", "list", "--model", "gemini-3-pro-image-preview"],
        &sandbox,
        dir.path(),
    )
    .await;
    assert!(String::from_utf8_lossy(&none.stdout).contains("No tasks match"));

    let bad = nanobanana(&["task", "list", "--status", "done"], &sandbox, dir.path()).await;
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("completed"));
}
