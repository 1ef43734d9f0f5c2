//! Finding tasks again on the sandbox: the task list (filters, paging, newest first) and the
//! batch query (unknown ids absent, more than 50 refused).

use nanobanana_test_kit::sandbox::{fast_client, lite_request, raw, start};
use nanobanana_test_kit::KEY;
use serde_json::json;

#[tokio::test]
async fn the_list_shows_the_tasks_newest_first_filtered_and_paged() {
    let sandbox = start().await;
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
    let (status, body, _) = raw(&sandbox, "GET", "/v1/tasks", Some(KEY), None, None).await;
    assert_eq!(status, 200, "{body}");
    let listed: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    let newest_first: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    assert_eq!(listed, newest_first);
    assert_eq!(body["total"], 3);
    assert_eq!(body["page_size"], 20);
    assert_eq!(body["data"][0]["model"], "nano-banana-2-lite");
    assert_eq!(
        body["data"][0]["has_results"],
        body["data"][0]["status"] == "completed"
    );

    let (_, page2, _) = raw(
        &sandbox,
        "GET",
        "/v1/tasks?page=2&page_size=2",
        Some(KEY),
        None,
        None,
    )
    .await;
    assert_eq!(page2["data"].as_array().unwrap().len(), 1);
    assert_eq!(page2["data"][0]["id"], ids[0].as_str());
    assert_eq!(page2["total"], 3);

    let (_, none, _) = raw(
        &sandbox,
        "GET",
        "/v1/tasks?model=gemini-3-pro-image-preview",
        Some(KEY),
        None,
        None,
    )
    .await;
    assert_eq!(none["total"], 0);
    let (_, done, _) = raw(
        &sandbox,
        "GET",
        "/v1/tasks?status=failed",
        Some(KEY),
        None,
        None,
    )
    .await;
    assert_eq!(done["total"], 0, "no task failed");

    let (status, refused, _) = raw(
        &sandbox,
        "GET",
        "/v1/tasks?page_size=101",
        Some(KEY),
        None,
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["param"], "page_size");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("100"),
        "{refused}"
    );
    let (status, _, _) = raw(&sandbox, "GET", "/v1/tasks", None, None, None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_batch_query_omits_unknown_ids_and_refuses_more_than_50() {
    let sandbox = start().await;
    let client = fast_client(&sandbox);
    let id = client
        .create(lite_request("a cat"))
        .await
        .unwrap()
        .id
        .clone();
    let body = json!({"task_ids": [id, "task-unified-1-unknown"]});
    let (status, found, _) = raw(
        &sandbox,
        "POST",
        "/v1/tasks/batch",
        Some(KEY),
        None,
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{found}");
    let data = found["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["id"], id.as_str());
    assert_eq!(
        sandbox.stats().task_queries,
        1,
        "one batch query counts once"
    );

    let many: Vec<String> = (0..51).map(|i| format!("task-unified-1-{i}")).collect();
    let (status, refused, _) = raw(
        &sandbox,
        "POST",
        "/v1/tasks/batch",
        Some(KEY),
        None,
        Some(json!({"task_ids": many})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["param"], "task_ids");
    assert!(
        refused["error"]["message"].as_str().unwrap().contains("50"),
        "{refused}"
    );
}
