//! `client.tasks()` against the sandbox: the list shows the tasks just made (filters, paging,
//! `since`), and `get_many` omits unknown ids and sends more than 50 ids in several calls.

use std::time::{Duration, SystemTime};

use nanobanana_api::tasks::ListTasks;
use nanobanana_api::types::{ImageModel, TaskStatus};
use nanobanana_api::{types, Error, NanoBanana};
use nanobanana_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use nanobanana_test_kit::KEY;

async fn start() -> SandboxHandle {
    Sandbox::start(SandboxConfig {
        time_scale: 0.02,
        ..Default::default()
    })
    .await
    .unwrap()
}

fn fast_client(sandbox: &SandboxHandle) -> NanoBanana {
    NanoBanana::new(&sandbox.client_config(KEY).unwrap()).unwrap()
}

fn lite_request(prompt: &str) -> types::builder::ImageGenerationRequest {
    types::ImageGenerationRequest::builder()
        .model(ImageModel::NanoBanana2Lite)
        .prompt(prompt)
}

#[tokio::test]
async fn the_list_shows_the_tasks_just_made_filtered_and_paged() {
    let sandbox = start().await;
    let client = fast_client(&sandbox);
    let mut ids = Vec::new();
    for i in 0..5 {
        let created = client
            .create(lite_request(&format!("cat {i}")))
            .await
            .unwrap();
        ids.push(created.id.clone());
    }
    let page = client.tasks().list(ListTasks::default()).await.unwrap();
    let listed: Vec<&str> = page.tasks.iter().map(|t| t.id.as_str()).collect();
    let newest_first: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    assert_eq!(listed, newest_first);
    assert_eq!(page.total, Some(5));
    assert_eq!(page.next_page(), None, "one page holds all five");

    // Paging: 2 a page, three pages, the last not full.
    let mut next = Some(ListTasks::default().page_size(2));
    let mut seen = Vec::new();
    let mut pages = 0;
    while let Some(options) = next {
        let page = client.tasks().list(options).await.unwrap();
        seen.extend(page.tasks.iter().map(|t| t.id.clone()));
        next = page.next_page();
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, newest_first);

    let other_model = ListTasks::default().model(ImageModel::Gemini3ProImagePreview);
    assert!(client
        .tasks()
        .list(other_model)
        .await
        .unwrap()
        .tasks
        .is_empty());
    let lite = ListTasks::default().model(ImageModel::NanoBanana2Lite);
    assert_eq!(client.tasks().list(lite).await.unwrap().tasks.len(), 5);
    let failed = ListTasks::default().status(TaskStatus::Failed);
    assert!(client.tasks().list(failed).await.unwrap().tasks.is_empty());

    let future = SystemTime::now() + Duration::from_secs(3600);
    let none = client
        .tasks()
        .list(ListTasks::default().since(future))
        .await
        .unwrap();
    assert!(none.tasks.is_empty());
    assert_eq!(none.next_page(), None);
    let past = SystemTime::now() - Duration::from_secs(3600);
    let all = client
        .tasks()
        .list(ListTasks::default().since(past))
        .await
        .unwrap();
    assert_eq!(all.tasks.len(), 5);
}

#[tokio::test]
async fn a_page_size_over_100_is_refused_before_sending() {
    let sandbox = start().await;
    let client = fast_client(&sandbox);
    let err = client
        .tasks()
        .list(ListTasks::default().page_size(101))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert!(err.to_string().contains("page_size"), "{err}");
    assert_eq!(sandbox.requests().len(), 0, "nothing was sent");
}

#[tokio::test]
async fn get_many_omits_unknown_ids_and_chunks_by_50() {
    let sandbox = start().await;
    let client = fast_client(&sandbox);
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            client
                .create(lite_request(&format!("dog {i}")))
                .await
                .unwrap()
                .id
                .clone(),
        );
    }
    let mut asked = ids.clone();
    asked.push("task-unified-1-unknown".to_string());
    let found = client.tasks().get_many(&asked).await.unwrap();
    let mut found_ids: Vec<String> = found.into_iter().map(|t| t.id).collect();
    found_ids.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(found_ids, expected);
    assert_eq!(sandbox.stats().task_queries, 1);

    // 120 ids (3 known, 117 unknown): three calls of at most 50.
    let mut many = ids.clone();
    many.extend((0..117).map(|i| format!("task-unified-2-unknown{i}")));
    let found = client.tasks().get_many(&many).await.unwrap();
    assert_eq!(found.len(), 3);
    assert_eq!(sandbox.stats().task_queries, 1 + 3);

    let err = client.tasks().get_many(&["not-a-task"]).await.unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
}
