//! Client overhead: create + get-task through the SDK vs the same requests by hand with bare
//! reqwest (typed parsing included on both sides). Measured with the SDK's default timeouts and
//! without them, to show what the timeout timers cost.

use std::time::{Duration, Instant};

use nanobanana_api::{config::ClientConfig, types, NanoBanana};
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
    let body = bare_body();
    for _ in 0..200 {
        sdk_pair(sdk).await;
        bare_pair(&bare, base, &body).await;
    }
    let (mut sdk_times, mut bare_times): (Vec<Duration>, Vec<Duration>) = (Vec::new(), Vec::new());
    for i in 0..iterations {
        // Interleaved, alternating which goes first, so drift hits both alike.
        let first_sdk = i % 2 == 0;
        for sdk_turn in [first_sdk, !first_sdk] {
            let t = Instant::now();
            if sdk_turn {
                sdk_pair(sdk).await;
                sdk_times.push(t.elapsed());
            } else {
                bare_pair(&bare, base, &body).await;
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

/// One create + get-task through the SDK.
async fn sdk_pair(sdk: &NanoBanana) {
    let request = types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt("a cat");
    let task = sdk.create(request).await.unwrap();
    sdk.get_task(&task.id).await.unwrap();
}

/// The create body bare reqwest sends, built once per run (as by hand one would).
fn bare_body() -> serde_json::Value {
    serde_json::json!({"model": "nano-banana-2-lite", "prompt": "a cat"})
}

/// The same two requests by hand with bare reqwest, parsed into the same types.
async fn bare_pair(bare: &reqwest::Client, base: &str, body: &serde_json::Value) {
    let response = bare
        .post(format!("{base}/v1/images/generations"))
        .bearer_auth("sk-bench")
        .json(body)
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
    let _: types::TaskDetail = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
}

/// Which side [`profile`] runs. From `Bare` to `Sdk`, each adds a layer, so the difference
/// between two neighbours is that layer's cost.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Side {
    /// Both requests by hand with bare reqwest, parsed into the same types.
    Bare,
    /// The generated client alone (progenitor's builders, the hooks: key and span, its
    /// headers), on an HTTP client without timeouts.
    Generated,
    /// The SDK (`NanoBanana`: validation, retries, the rate-limit gate), without timeouts.
    SdkNoTimeouts,
    /// The SDK with its default timeouts: what a user runs.
    Sdk,
}

/// Runs `pairs` create + get-task pairs of one side against a sandbox at `base` (in another
/// process), for an instruction profiler: `scripts/profile-overhead.sh` runs each side under
/// callgrind with two values of `pairs`, which gives the instructions per pair of each side.
pub async fn profile(base: &str, side: Side, pairs: usize) {
    let config = ClientConfig::new("sk-bench")
        .unwrap()
        .with_base_url(base)
        .unwrap();
    let untimed = config.clone().without_timeouts();
    let sdk = NanoBanana::new(match side {
        Side::Sdk => &config,
        _ => &untimed,
    })
    .unwrap();
    let api = untimed.build().unwrap();
    let bare = reqwest::Client::new();
    let body = bare_body();
    for _ in 0..pairs {
        match side {
            Side::Sdk | Side::SdkNoTimeouts => sdk_pair(&sdk).await,
            Side::Generated => generated_pair(&api).await,
            Side::Bare => bare_pair(&bare, base, &body).await,
        }
    }
}

/// The same two requests through the generated client alone.
async fn generated_pair(api: &nanobanana_api::raw::Client) {
    let request = types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt("a cat");
    let task = api
        .create_image_generation()
        .body(request)
        .send()
        .await
        .unwrap()
        .into_inner();
    api.get_task_detail()
        .task_id(task.id.as_str())
        .send()
        .await
        .unwrap();
}
