//! Client overhead: create + get-task through the SDK vs the same requests by hand with bare
//! reqwest (typed parsing included on both sides). Measured with the SDK's default timeouts and
//! without them, to show what the timeout timers cost.

use std::time::{Duration, Instant};

use nanobanana_api::{types, ClientConfig, NanoBanana};
use nanobanana_sandbox::{Sandbox, SandboxConfig};

use crate::measure::{median, report, us};

pub async fn run(iterations: usize) {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let base = sandbox.base_url().to_string();
    let config = ClientConfig::new("sk-bench")
        .unwrap()
        .with_base_url(&base)
        .unwrap();
    let variants = [
        ("SDK (default timeouts)", NanoBanana::new(&config).unwrap()),
        (
            "SDK (no timeouts)",
            NanoBanana::new(&config.clone().without_timeouts()).unwrap(),
        ),
    ];
    for (label, sdk) in &variants {
        measure(label, sdk, &base, iterations).await;
    }
}

async fn measure(label: &str, sdk: &NanoBanana, base: &str, iterations: usize) {
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
        let first_sdk = i % 2 == 0;
        for sdk_turn in [first_sdk, !first_sdk] {
            let t = Instant::now();
            if sdk_turn {
                sdk_pair().await;
                sdk_times.push(t.elapsed());
            } else {
                bare_pair().await;
                bare_times.push(t.elapsed());
            }
        }
    }
    let (s, b) = (median(&mut sdk_times), median(&mut bare_times));
    let ratio = s.as_secs_f64() / b.as_secs_f64();
    report(
        &format!("overhead (create + get-task, median of {iterations})"),
        &format!("{label} {}", us(s)),
        &format!("bare reqwest {}", us(b)),
        ratio,
        "≤ 1.05",
        ratio <= 1.05,
    );
}
