//! What the sandbox keeps and for how long: result links that expire, old tasks and files
//! evicted, and the credits the tasks reserved.

use std::time::Duration;

use nanobanana_api::{types, Error};
use nanobanana_sandbox::{Sandbox, SandboxConfig};
use nanobanana_test_kit::sandbox::{fast_client, fast_config, lite_request, raw};
use nanobanana_test_kit::KEY;

#[tokio::test]
async fn result_links_expire_after_their_ttl() {
    let config = SandboxConfig {
        link_ttl: Duration::from_millis(100),
        ..fast_config()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = fast_client(&sandbox);
    let created = client
        .create(lite_request("a cat").quality(types::ImageQuality::Res1K))
        .await
        .unwrap();
    let task = client.wait(&created).await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let dir = tempfile::tempdir().unwrap();
    let err = client.download(&task, dir.path()).await.unwrap_err();
    assert!(
        matches!(err, Error::Download { expired: true, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn old_tasks_and_files_are_evicted() {
    let config = SandboxConfig {
        task_ttl: Duration::from_millis(50),
        link_ttl: Duration::from_millis(50),
        ..fast_config()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let created = fast_client(&sandbox)
        .create(lite_request("a cat"))
        .await
        .unwrap();
    assert_eq!(sandbox.tasks_held(), 1);
    // The sweeper runs on its own schedule: wait (bounded) for it to evict the task.
    let started = std::time::Instant::now();
    while sandbox.tasks_held() > 0 {
        assert!(started.elapsed() < Duration::from_secs(10), "not evicted");
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (status, _, _) = raw(
        &sandbox,
        "GET",
        &format!("/v1/tasks/{}", created.id),
        Some(KEY),
        None,
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn credits_count_what_the_tasks_reserved() {
    let sandbox = Sandbox::start(SandboxConfig {
        initial_credits: 100.0,
        ..fast_config()
    })
    .await
    .unwrap();
    let client = fast_client(&sandbox);
    client.create(lite_request("a cat")).await.unwrap();
    client
        .create(lite_request("a cat").quality(types::ImageQuality::Res4K))
        .await
        .unwrap();
    let credits = client.credits().await.unwrap();
    let user = credits.data.user.unwrap();
    assert_eq!(user.used_credits, Some(4.8), "1.6 for 2K plus 3.2 for 4K");
    assert_eq!(user.remaining_credits, Some(95.2));
    assert_eq!(credits.data.token.unwrap().unlimited_credits, Some(false));
}

/// Set for the process [`a_killed_sandbox_s_uploads_are_removed_by_the_next_one`] starts.
const HOLDER_VAR: &str = "NANOBANANA_TEST_HOLD_SANDBOX";

/// Run as a child process by the test below: starts a sandbox, says where its uploads are,
/// and waits to be killed.
#[tokio::test]
#[ignore = "a child process of a_killed_sandbox_s_uploads_are_removed_by_the_next_one"]
async fn a_sandbox_held_until_killed() {
    assert!(
        std::env::var_os(HOLDER_VAR).is_some(),
        "run by another test"
    );
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    println!("uploads at {}", sandbox.uploads_dir().display());
    tokio::time::sleep(Duration::from_secs(120)).await;
}

#[tokio::test]
async fn a_killed_sandbox_s_uploads_are_removed_by_the_next_one() {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "sandbox_lifecycle::a_sandbox_held_until_killed",
            "--ignored",
            "--nocapture",
        ])
        .env(HOLDER_VAR, "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let left = lines
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("uploads at ")
                .map(std::path::PathBuf::from)
        })
        .expect("the child says where its uploads are");
    // SIGKILL: nothing of the child runs, no destructor, no signal handler.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(left.exists(), "left behind by the kill: {}", left.display());
    let next = Sandbox::start(SandboxConfig::default()).await.unwrap();
    assert!(!left.exists(), "removed when the next sandbox started");
    let own = next.uploads_dir().to_path_buf();
    assert!(own.exists());
    next.shutdown().await;
    assert!(!own.exists(), "and its own goes when it stops");
}
