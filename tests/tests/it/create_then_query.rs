//! End to end: configure from the environment the way a user does, create a task, follow it to
//! completion, against a loopback server started by the test.

use nanobanana_api::{config::ClientConfig, config::API_KEY_VAR, config::BASE_URL_VAR, types};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_task_created_from_env_config_is_followed_to_its_results() {
    let server = MockServer::start().await;
    let task_id = "task-unified-1757165031-uyujaw3d";
    Mock::given(method("POST"))
        .and(path("/v1/images/generations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": task_id, "status": "pending", "progress": 0,
            "task_info": {"can_cancel": true, "estimated_time": 45},
        })))
        .expect(1)
        .mount(&server)
        .await;
    // First query: still processing; then completed.
    Mock::given(method("GET"))
        .and(path(format!("/v1/tasks/{task_id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": task_id, "status": "processing", "progress": 40,
        })))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/tasks/{task_id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": task_id, "status": "completed", "progress": 100,
            "results": ["https://files.example/cat.png"],
        })))
        .expect(1)
        .mount(&server)
        .await;

    let uri = server.uri();
    let env = |name: &str| match name {
        n if n == API_KEY_VAR => Some("sk-e2e".to_string()),
        n if n == BASE_URL_VAR => Some(uri.clone()),
        _ => None,
    };
    let client = ClientConfig::from_lookup(env).unwrap().build().unwrap();

    let task = client
        .create_image_generation()
        .body(
            types::ImageGenerationRequest::builder()
                .model(types::ImageModel::Gemini3ProImagePreview)
                .prompt("a cat"),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(task.status, types::TaskStatus::Pending);

    let mut statuses = Vec::new();
    let detail = loop {
        let detail = client
            .get_task_detail()
            .task_id(task.id.as_str())
            .send()
            .await
            .unwrap()
            .into_inner();
        statuses.push(detail.status.clone());
        if detail.status == types::TaskStatus::Completed || statuses.len() == 5 {
            break detail;
        }
    };
    assert_eq!(
        statuses,
        [types::TaskStatus::Processing, types::TaskStatus::Completed]
    );
    assert_eq!(detail.results, ["https://files.example/cat.png"]);
}
