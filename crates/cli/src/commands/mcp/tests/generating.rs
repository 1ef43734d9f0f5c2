//! A session's main path: the server announces itself, `generate_image` saves and previews,
//! a model's limit is refused before anything is sent, a cancel stops only the wait.

use super::*;

#[tokio::test]
async fn initialize_announces_the_sandbox_and_the_folder_and_lists_every_tool() {
    let dir = tempfile::tempdir().unwrap();
    let session = connect(sandbox(0.002).await, dir.path(), true).await;
    let info = session
        .client
        .peer_info()
        .expect("the server said who it is");
    let instructions = info.instructions.clone().unwrap_or_default();
    assert!(instructions.starts_with("SANDBOX:"), "{instructions}");
    assert!(instructions.contains("placeholder"), "{instructions}");
    assert!(
        instructions.contains(&dir.path().display().to_string()),
        "the default folder is announced: {instructions}"
    );
    let tools = session.client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "generate_image",
            "get_task",
            "wait_task",
            "list_tasks",
            "list_models",
            "credits",
            "files_quota"
        ]
    );
    let generate = &tools[0];
    let description = generate.description.as_deref().unwrap_or_default();
    for model in nanobanana_api::lineup::MODELS {
        assert!(
            description.contains(model.model.as_str()),
            "{} is described: {description}",
            model.model
        );
    }
    let schema = Value::Object((*generate.input_schema).clone());
    assert_eq!(schema["required"], json!(["prompt"]));
    assert!(schema["properties"]["quality"]["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("4K")));
    assert_eq!(
        schema["properties"]["thinking"]["enum"],
        json!(["auto", "min", "high", null])
    );
    assert_eq!(schema["additionalProperties"], json!(false));
}

#[tokio::test]
async fn generate_image_saves_the_file_and_answers_its_path_task_and_preview() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("made");
    let session = connect(sandbox(0.002).await, dir.path(), true).await;
    let answer = session
        .client
        .call_tool(call(
            "generate_image",
            json!({"prompt": "a red fox", "size": "16:9", "quality": "1K",
                   "output_dir": out, "file_name": "fox.png"}),
        ))
        .await
        .unwrap();
    assert_eq!(answer.is_error, Some(false), "{}", text(&answer));
    let facts = facts(&answer);
    let task_id = facts["task_id"].as_str().unwrap();
    assert!(task_id.starts_with("task-unified-"));
    assert_eq!(facts["files"], json!([out.join("fox.png")]));
    assert_eq!(facts["size"], json!("16:9"));
    assert_eq!(facts["quality"], json!("1K"));
    assert_eq!(facts["sandbox"], json!(true));
    assert!(facts["credits_reserved"].as_f64().is_some());
    // Saved as the PNG the name asks for (the sandbox serves JPEGs).
    assert_eq!(
        nanobanana_test_kit::png_size(&out.join("fox.png")),
        (1024, 576)
    );
    let said = text(&answer);
    assert!(said.starts_with("SANDBOX:"), "{said}");
    assert!(said.contains(task_id) && said.contains("fox.png"), "{said}");
    let preview = answer
        .content
        .iter()
        .find_map(|c| match c {
            ContentBlock::Image(image) => Some(image),
            _ => None,
        })
        .expect("a preview");
    assert_eq!(preview.mime_type, "image/jpeg");
    assert!(preview.data.len() < 256 * 1024 * 4 / 3 + 4);
}

#[tokio::test]
async fn quality_4k_on_the_lite_model_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(0.002).await;
    let mut journal = sandbox.watch_requests();
    let session = connect(sandbox, dir.path(), false).await;
    let answer = session
        .client
        .call_tool(call(
            "generate_image",
            json!({"prompt": "a banner", "model": "gemini-3.1-flash-lite-image", "quality": "4K"}),
        ))
        .await
        .unwrap();
    assert_eq!(answer.is_error, Some(true));
    let said = text(&answer);
    assert!(said.contains("gemini-3.1-flash-lite-image"), "{said}");
    assert!(
        said.contains("1K") && said.contains("list_models"),
        "{said}"
    );
    assert!(said.contains("Nothing was paid"), "{said}");
    assert_eq!(facts(&answer)["error"]["param"], json!("quality"));
    assert_eq!(facts(&answer)["sandbox"], json!(false));
    assert_eq!(creates(&mut journal), 0, "no create reached the sandbox");
    assert!(!dir.path().join(super::super::DEFAULT_OUTPUT_DIR).exists());
}

#[tokio::test]
async fn a_cancel_stops_the_wait_and_the_task_keeps_running() {
    let dir = tempfile::tempdir().unwrap();
    // Tasks of about 45 s × 0.1: time to cancel mid-wait.
    let mut session = connect(sandbox(0.1).await, dir.path(), true).await;
    let request = ClientRequest::CallToolRequest(Request::new(call(
        "generate_image",
        json!({"prompt": "a slow fox"}),
    )));
    let handle = session
        .client
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .unwrap();
    // The first notification names the task.
    let first = tokio::time::timeout(Duration::from_secs(20), session.progress.recv())
        .await
        .expect("a progress notification")
        .unwrap();
    let message = first.message.unwrap_or_default();
    let task_id = message
        .split_whitespace()
        .find(|w| w.starts_with("task-unified-"))
        .unwrap_or_else(|| panic!("the task id in {message}"))
        .to_string();
    assert!(message.contains("wait_task"), "{message}");
    handle
        .cancel(Some("the user changed their mind".into()))
        .await
        .unwrap();
    // The last word names the task and says it runs on.
    let stopped = loop {
        let note = tokio::time::timeout(Duration::from_secs(20), session.progress.recv())
            .await
            .expect("the stopped-waiting notification")
            .unwrap();
        let message = note.message.unwrap_or_default();
        if message.contains("stopped waiting") {
            break message;
        }
    };
    assert!(
        stopped.contains(&task_id) && stopped.contains("keeps running"),
        "{stopped}"
    );
    let task = session.sdk.get_task(&task_id).await.unwrap();
    assert!(
        ["pending", "processing", "completed"].contains(&task.status.to_string().as_str()),
        "the task runs on: {}",
        task.status
    );
    // And its image is saved by wait_task.
    let answer = session
        .client
        .call_tool(call("wait_task", json!({"task_id": task_id})))
        .await
        .unwrap();
    assert_eq!(answer.is_error, Some(false), "{}", text(&answer));
    assert_eq!(facts(&answer)["status"], json!("completed"));
    let file = facts(&answer)["files"][0].as_str().unwrap().to_string();
    assert!(
        std::path::Path::new(&file).starts_with(dir.path()),
        "{file}"
    );
    assert!(std::path::Path::new(&file).exists());
}
