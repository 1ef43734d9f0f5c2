//! Client overhead: create + get-task through the SDK vs the same requests by hand.

use std::time::{Duration, Instant};

use nanobanana_api::{types, ClientConfig, NanoBanana};
use nanobanana_sandbox::{Sandbox, SandboxConfig};

use crate::measure::{median, report, us};

pub async fn run(iterations: usize) {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let base = sandbox.base_url().to_string();
    let sdk = NanoBanana::new(
        &ClientConfig::new("sk-bench")
            .unwrap()
            .base_url(&base)
            .unwrap(),
    )
    .unwrap();
    let bare = reqwest::Client::new();
    let body = serde_json::json!({"model": "nano-banana-2-lite", "prompt": "a cat"});

    let sdk_pair = || async {
        let request = types::ImageGenerationRequest::builder()
            .model(types::ImageModel::NanoBanana2Lite)
            .prompt("a cat");
        let task = sdk.create(request).await.unwrap();
        sdk.get_task(&task.id).await.unwrap();
    };
    let bare_pair = || async {
        let response = bare
            .post(format!("{base}/v1/images/generations"))
            .bearer_auth("sk-bench")
            .json(&body)
            .send()
            .await
            .unwrap();
        let task: types::ImageGenerationResponse =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        let response = bare
            .get(format!("{base}/v1/tasks/{}", task.id))
            .bearer_auth("sk-bench")
            .send()
            .await
            .unwrap();
        let _: types::TaskDetail =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    };

    for _ in 0..200 {
        sdk_pair().await;
        bare_pair().await;
    }
    let (mut sdk_times, mut bare_times): (Vec<Duration>, Vec<Duration>) = (Vec::new(), Vec::new());
    for i in 0..iterations {
        // Interleaved, alternating which goes first, so drift hits both alike.
        let measure_sdk = || async {
            let t = Instant::now();
            sdk_pair().await;
            t.elapsed()
        };
        let measure_bare = || async {
            let t = Instant::now();
            bare_pair().await;
            t.elapsed()
        };
        if i % 2 == 0 {
            sdk_times.push(measure_sdk().await);
            bare_times.push(measure_bare().await);
        } else {
            bare_times.push(measure_bare().await);
            sdk_times.push(measure_sdk().await);
        }
    }
    let (s, b) = (median(&mut sdk_times), median(&mut bare_times));
    let ratio = s.as_secs_f64() / b.as_secs_f64();
    report(
        "overhead (create + get-task, median of {iterations})"
            .replace("{iterations}", &iterations.to_string())
            .as_str(),
        &format!("SDK {}", us(s)),
        &format!("bare reqwest {}", us(b)),
        ratio,
        "≤ 1.05",
        ratio <= 1.05,
    );
}
