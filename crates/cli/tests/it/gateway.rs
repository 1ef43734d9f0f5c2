//! The contract as Evolink's gateway speaks it, from the shell: model parameters per model,
//! each model's default quality, request ids, the 402 family, cancelled tasks.

use std::path::Path;
use std::process::Output;

use nanobanana_sandbox::{Fault, SandboxHandle};
use nanobanana_test_kit::sandbox::start_keyed;
use nanobanana_test_kit::{png_size, KEY as SECRET};

/// Runs the binary with no key (the embedded sandbox) plus `env`.
fn nanobanana(args: &[&str], env: &[(String, String)], dir: &Path) -> Output {
    let mut command = crate::common::nanobanana_in(dir);
    command
        .args(args)
        .env("NANOBANANA_SANDBOX_TIME_SCALE", "0.002");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("the binary runs")
}

/// Runs the binary off the async runtime, so an in-process sandbox keeps serving.
async fn nanobanana_async(args: &[&str], env: Vec<(String, String)>, dir: &Path) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        nanobanana(&args, &env, &dir)
    })
    .await
    .unwrap()
}

fn env_for(sandbox: &SandboxHandle) -> Vec<(String, String)> {
    [
        ("EVOLINK_API_KEY", SECRET),
        ("EVOLINK_BASE_URL", sandbox.base_url()),
        ("EVOLINK_FILES_BASE_URL", sandbox.files_base_url()),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .to_vec()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn each_model_takes_its_own_parameters_and_others_are_refused_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let pro = ["generate", "x", "--model", "gemini-3-pro-image-preview"];

    let made = nanobanana(
        &[&pro[..], &["--web-search", "-o", "x.png"]].concat(),
        &[],
        dir.path(),
    );
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(dir.path().join("x.png").exists());

    let refused = nanobanana(
        &[&pro[..], &["--thinking", "high", "-o", "y.png"]].concat(),
        &[],
        dir.path(),
    );
    let text = stderr(&refused);
    assert_eq!(refused.status.code(), Some(3), "{text}");
    for part in [
        "nothing was sent",
        "model_params.thinking_level",
        "gemini-3-pro-image-preview does not take it",
        "only web_search",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    assert!(!dir.path().join("y.png").exists());

    let unknown = nanobanana(
        &["generate", "x", "--thinking", "minimal", "-o", "z.png"],
        &[],
        dir.path(),
    );
    let text = stderr(&unknown);
    assert_eq!(unknown.status.code(), Some(2), "{text}");
    assert!(text.contains("auto | min | high"), "{text}");
}

#[test]
fn a_lite_model_draws_at_its_own_default_quality() {
    let dir = tempfile::tempdir().unwrap();
    let made = nanobanana(
        &[
            "generate",
            "a banner",
            "--model",
            "gemini-3.1-flash-lite-image",
            "-o",
            "b.png",
        ],
        &[],
        dir.path(),
    );
    assert!(made.status.success(), "{}", stderr(&made));
    assert_eq!(png_size(&dir.path().join("b.png")), (1024, 1024));
}

#[tokio::test]
async fn the_parameter_flags_reach_the_api_as_model_params() {
    let sandbox = start_keyed(0.002).await;
    let dir = tempfile::tempdir().unwrap();
    let made = nanobanana_async(
        &[
            "generate",
            "x",
            "--thinking",
            "high",
            "--web-search",
            "--image-search",
            "-o",
            "x.png",
        ],
        env_for(&sandbox),
        dir.path(),
    )
    .await;
    assert!(made.status.success(), "{}", stderr(&made));
    let create = sandbox
        .requests()
        .into_iter()
        .find(|e| e.operation.as_deref() == Some("create_image_generation"))
        .expect("a create reached the sandbox");
    let body = create.body.expect("its body is journaled");
    assert_eq!(
        body["model_params"],
        serde_json::json!({"thinking_level": "high", "web_search": true, "image_search": true})
    );
}

#[tokio::test]
async fn a_failure_prints_the_request_id_the_server_sent() {
    let sandbox = start_keyed(0.002).await;
    let dir = tempfile::tempdir().unwrap();
    let output = nanobanana_async(
        &["task", "get", "task-unified-1-nosuchtask"],
        env_for(&sandbox),
        dir.path(),
    )
    .await;
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let sent = sandbox
        .requests()
        .into_iter()
        .find(|e| e.operation.as_deref() == Some("get_task_detail"))
        .and_then(|e| e.request_id)
        .expect("the sandbox answered with an x-request-id");
    let text = stderr(&output);
    assert!(
        text.contains(&format!("Request id {sent}: quote it to Evolink's support")),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["error"]["request_id"], sent.as_str());
}

#[tokio::test]
async fn each_quota_refusal_names_the_limit_that_stopped_the_request() {
    let sandbox = start_keyed(0.002).await;
    let dir = tempfile::tempdir().unwrap();
    for (code, words) in [
        (
            "insufficient_user_quota",
            &[
                "account's balance is too low",
                "1.2 credits left",
                "needs about 3.2 credits",
            ][..],
        ),
        (
            "insufficient_token_quota",
            &[
                "API key's own spending limit",
                "left 0.8 credits",
                "is not the problem",
            ][..],
        ),
        (
            "token_daily_quota_exceeded",
            &[
                "daily limit is used up",
                "49.2 credits of 50 credits today",
                "resets at midnight (Asia/Shanghai)",
            ][..],
        ),
        ("key_disabled", &["This API key is disabled"][..]),
        ("key_expired", &["This API key has expired"][..]),
        (
            "key_model_not_allowed",
            &["may not use this model", "gemini-3.1-flash-lite-image"][..],
        ),
    ] {
        sandbox.inject(Fault::Quota(code.to_string()));
        let output = nanobanana_async(
            &["generate", "x", "-o", "q.png"],
            env_for(&sandbox),
            dir.path(),
        )
        .await;
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(5), "{code}: {text}");
        for word in words {
            assert!(text.contains(word), "{code}: `{word}` in {text}");
        }
        assert!(text.contains("Request id req_"), "{code}: {text}");
        assert!(!text.contains(SECRET));
    }
}

#[test]
fn a_cancelled_task_has_its_own_message_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let output = nanobanana(
        &["generate", "x [sandbox:cancel]", "-o", "c.png"],
        &[],
        dir.path(),
    );
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(9), "{text}");
    assert!(
        text.contains("was cancelled on the server") && text.contains("no image was made"),
        "{text}"
    );
    assert!(!dir.path().join("c.png").exists());
}
