//! The sandbox as Evolink's gateway for `Idempotency-Key`s: an equal body replays the original
//! task, another body is a 409, and a create whose answer is dropped is resent by the SDK with
//! the same key and answered with the task it created.

use nanobanana_api::{types, Error, Event, ImageRequest, NanoBanana, Observer};
use nanobanana_sandbox::{Fault, SandboxHandle};
use nanobanana_test_kit::sandbox::{fast_client, start};
use nanobanana_test_kit::KEY;
use serde_json::{json, Value};

/// A create with `key` as its `Idempotency-Key`, outside the SDK: status, body, whether the
/// answer says it is a replay.
async fn create_with_key(sandbox: &SandboxHandle, key: &str, body: Value) -> (u16, Value, bool) {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/images/generations", sandbox.base_url()))
        .bearer_auth(KEY)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let replayed = response
        .headers()
        .get("idempotency-replayed")
        .is_some_and(|v| v == "true");
    (status, response.json().await.unwrap(), replayed)
}

#[tokio::test]
async fn the_same_key_and_body_twice_make_one_task_and_the_second_is_a_replay() {
    let sandbox = start().await;
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat"});
    let (status, first, replayed) = create_with_key(&sandbox, "key-1", body.clone()).await;
    assert_eq!((status, replayed), (200, false), "{first}");
    // The same JSON value, the keys in another order.
    let again = json!({"prompt": "a cat", "model": "nano-banana-2-lite"});
    let (status, second, replayed) = create_with_key(&sandbox, "key-1", again).await;
    assert_eq!((status, replayed), (200, true), "{second}");
    assert_eq!(second["id"], first["id"]);
    assert_eq!(sandbox.stats().creates, 1);

    // Another key is another task; the journal shows each create's key and the replay.
    let (_, third, replayed) = create_with_key(&sandbox, "key-2", body).await;
    assert!(!replayed);
    assert_ne!(third["id"], first["id"]);
    assert_eq!(sandbox.stats().creates, 2);
    let creates: Vec<(Option<String>, bool)> = sandbox
        .requests()
        .into_iter()
        .filter(|e| e.operation.as_deref() == Some("create_image_generation"))
        .map(|e| (e.idempotency_key, e.replayed))
        .collect();
    assert_eq!(
        creates,
        [
            (Some("key-1".into()), false),
            (Some("key-1".into()), true),
            (Some("key-2".into()), false)
        ]
    );
}

#[tokio::test]
async fn the_same_key_with_another_body_is_a_409_conflict_the_sdk_explains() {
    let sandbox = start().await;
    let body = json!({"model": "nano-banana-2-lite", "prompt": "a cat"});
    create_with_key(&sandbox, "key-1", body).await;
    let other = json!({"model": "nano-banana-2-lite", "prompt": "a dog"});
    let (status, answer, _) = create_with_key(&sandbox, "key-1", other).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"]["code"], "idempotency_conflict");
    assert_eq!(answer["error"]["param"], "Idempotency-Key");
    assert_eq!(sandbox.stats().creates, 1);

    let err = fast_client(&sandbox)
        .create(
            ImageRequest::new(types::ImageModel::NanoBanana2Lite, "a bird")
                .idempotency_key("key-1"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::IdempotencyConflict(_)), "{err:?}");
    assert!(
        err.to_string().contains("use a new key for a new image"),
        "{err}"
    );
}

#[tokio::test]
async fn a_dropped_create_answer_is_resent_with_the_same_key_and_replays_the_task() {
    let sandbox = start().await;
    // The next call creates its task, then the connection closes without the answer.
    sandbox.inject(Fault::Drop);
    let replays = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&replays);
    let client: NanoBanana = fast_client(&sandbox).observe(Observer::new(move |event| {
        if let Event::Replayed(created) = event {
            assert!(created.replayed);
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }));
    let created = client
        .create(ImageRequest::new(
            types::ImageModel::NanoBanana2Lite,
            "a cat",
        ))
        .await
        .unwrap();
    assert!(created.replayed, "{created:?}");
    assert_eq!(replays.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(sandbox.stats().creates, 1, "one task, not two");
    let creates: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|e| e.operation.as_deref() == Some("create_image_generation"))
        .collect();
    assert_eq!(creates.len(), 2, "{creates:#?}");
    assert_eq!(
        creates[0].idempotency_key.as_deref(),
        Some(created.idempotency_key.as_str())
    );
    assert_eq!(creates[1].idempotency_key, creates[0].idempotency_key);
    assert_eq!((creates[0].replayed, creates[1].replayed), (false, true));
    client.wait(&created).await.unwrap();
}

#[tokio::test]
async fn with_resends_off_a_dropped_answer_fails_saying_the_outcome_is_unknown() {
    let sandbox = start().await;
    sandbox.inject(Fault::Drop);
    let mut retries =
        nanobanana_test_kit::sandbox::quick_retries(std::time::Duration::from_millis(10));
    retries.resend_unknown_creates = false;
    let client = nanobanana_test_kit::sandbox::client(&sandbox, retries);
    let err = client
        .create(ImageRequest::new(
            types::ImageModel::NanoBanana2Lite,
            "a cat",
        ))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(err.to_string().contains("same key"), "{err}");
    assert_eq!(sandbox.stats().creates, 1);
    assert_eq!(sandbox.requests().len(), 1, "not resent");
}
