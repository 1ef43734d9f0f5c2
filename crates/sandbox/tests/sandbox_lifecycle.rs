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
