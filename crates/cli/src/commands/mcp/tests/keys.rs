//! What a session never does twice or lets through: one idempotency key pays once, an
//! argument outside the schema is named, the API key is in no answer.

use super::*;

#[tokio::test]
async fn the_same_idempotency_key_gets_the_original_task_and_another_request_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(0.002).await;
    let mut journal = sandbox.watch_requests();
    let session = connect(sandbox, dir.path(), true).await;
    let args = json!({"prompt": "a fox", "idempotency_key": "fox-1", "file_name": "fox.webp"});
    let first = session
        .client
        .call_tool(call("generate_image", args.clone()))
        .await
        .unwrap();
    let again = session
        .client
        .call_tool(call("generate_image", args))
        .await
        .unwrap();
    assert_eq!(again.is_error, Some(false), "{}", text(&again));
    assert_eq!(facts(&first)["task_id"], facts(&again)["task_id"]);
    assert_eq!(facts(&first)["files"], facts(&again)["files"]);
    assert_eq!(facts(&first)["replayed"], json!(false));
    assert_eq!(facts(&again)["replayed"], json!(true));
    assert_eq!(creates(&mut journal), 1, "one task paid for");
    let other = session
        .client
        .call_tool(call(
            "generate_image",
            json!({"prompt": "a dog", "idempotency_key": "fox-1"}),
        ))
        .await
        .unwrap();
    assert_eq!(other.is_error, Some(true));
    assert!(text(&other).contains("idempotency_key"), "{}", text(&other));
    // list_tasks finds the one task.
    let listed = session
        .client
        .call_tool(call("list_tasks", json!({"since": "1h"})))
        .await
        .unwrap();
    let tasks = facts(&listed)["tasks"].as_array().unwrap().clone();
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0]["task_id"], facts(&first)["task_id"]);
    assert_eq!(tasks[0]["status"], json!("completed"));
}

#[tokio::test]
async fn arguments_outside_the_schema_are_an_error_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let session = connect(sandbox(0.002).await, dir.path(), true).await;
    for (args, named) in [
        (json!({"prompt": "x", "colour": "red"}), "colour"),
        (json!({"prompt": "x", "size": "9:9"}), "size"),
        (
            json!({"prompt": "x", "thinking": "minimal"}),
            "auto | min | high",
        ),
        (
            json!({"prompt": "x", "model": "gemini-3.1-flash-lite-image", "web_search": true}),
            "only thinking_level with gemini-3.1-flash-lite-image",
        ),
        (json!({"prompt": "x", "file_name": "../x.png"}), "file_name"),
        (json!({"prompt": "x", "file_name": "x.txt"}), "file_name"),
        (json!({"size": "1:1"}), "prompt"),
    ] {
        let answer = session
            .client
            .call_tool(call("generate_image", args.clone()))
            .await
            .unwrap();
        assert_eq!(answer.is_error, Some(true), "{args}");
        assert!(text(&answer).contains(named), "{args}: {}", text(&answer));
    }
    let answer = session
        .client
        .call_tool(call("get_task", json!({"task_id": "nope"})))
        .await
        .unwrap();
    assert_eq!(answer.is_error, Some(true));
    assert!(text(&answer).contains("task-unified-"), "{}", text(&answer));
}

#[tokio::test]
async fn the_key_is_in_no_answer() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = nanobanana_test_kit::sandbox::start_keyed(0.002).await;
    let session = connect(sandbox, dir.path(), false).await;
    let mut answers = Vec::new();
    for (tool, args) in [
        ("generate_image", json!({"prompt": "a fox"})),
        ("credits", json!({})),
        ("files_quota", json!({})),
        ("list_models", json!({})),
        ("list_tasks", json!({})),
        ("get_task", json!({"task_id": "task-unified-0-missing"})),
    ] {
        let answer = session.client.call_tool(call(tool, args)).await.unwrap();
        answers.push(serde_json::to_string(&answer).unwrap());
    }
    let all = answers.join("\n");
    assert!(all.contains("API: requests go to"), "{all}");
    assert!(!all.contains(nanobanana_test_kit::KEY));
}

#[tokio::test]
async fn two_calls_at_once_with_one_key_pay_once_and_share_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(0.01).await;
    let mut journal = sandbox.watch_requests();
    let session = connect(sandbox, dir.path(), true).await;
    let args = json!({"prompt": "twins", "idempotency_key": "twins-1"});
    let (first, second) = tokio::join!(
        session
            .client
            .call_tool(call("generate_image", args.clone())),
        session.client.call_tool(call("generate_image", args)),
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.is_error, Some(false), "{}", text(&first));
    assert_eq!(second.is_error, Some(false), "{}", text(&second));
    assert_eq!(facts(&first)["task_id"], facts(&second)["task_id"]);
    assert_eq!(facts(&first)["files"], facts(&second)["files"]);
    assert_eq!(creates(&mut journal), 1, "one task paid for");
    let saved = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(saved, 1, "one image on disk");
}
