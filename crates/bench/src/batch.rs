//! Batch: N generations through `generate_many` against a sandbox limited to R creates/s; wall
//! time vs the bound N/R, lost and duplicated generations, peak memory.

use std::time::{Duration, Instant};

use nanobanana_api::{config::PollSchedule, tasks::BatchOptions, types, NanoBanana};
use nanobanana_sandbox::{Sandbox, SandboxConfig};

use crate::measure::{peak_rss_kib, report};

pub async fn run(generations: usize, rate: u32) {
    let config = SandboxConfig {
        time_scale: 0.001,
        rate_limit_per_sec: Some(rate),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = NanoBanana::new(
        &sandbox
            .client_config("sk-bench")
            .unwrap()
            .with_poll_schedule({
                let mut polls = PollSchedule::default();
                polls.min_interval = Duration::from_millis(100);
                polls
            }),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let requests = (0..generations).map(|i| {
        types::ImageGenerationRequest::builder()
            .model(types::ImageModel::NanoBanana2Lite)
            .prompt(format!("a cat, variation {}", i % 8))
            .quality(types::ImageQuality::Res1K)
    });
    let concurrency = (rate as usize).max(16) * 2;
    let start = Instant::now();
    let results = client
        .generate_many(requests, BatchOptions::new(concurrency, dir.path()))
        .await
        .unwrap();
    let wall = start.elapsed();

    let ok = results
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|g| g.files.iter().all(|f| f.exists())))
        .count();
    let failed: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| e.to_string()))
        .take(3)
        .collect();
    let stats = sandbox.stats();
    let bound = Duration::from_secs_f64(generations as f64 / rate as f64);
    let ratio = wall.as_secs_f64() / bound.as_secs_f64();
    report(
        &format!("batch ({generations} generations, {rate} creates/s, {concurrency} in flight)"),
        &format!("wall {:.2} s", wall.as_secs_f64()),
        &format!("bound N/R {:.2} s", bound.as_secs_f64()),
        ratio,
        "≤ 1.1",
        ratio <= 1.1,
    );
    println!(
        "batch: {ok}/{generations} images on disk, lost {}, duplicated creates {} (sandbox created {}, rejected {} with 429), peak RSS {:.1} MiB{}",
        generations - ok,
        stats.creates.saturating_sub(generations as u64),
        stats.creates,
        stats.creates_rejected,
        peak_rss_kib() as f64 / 1024.0,
        if failed.is_empty() { String::new() } else { format!("; first errors: {failed:?}") }
    );
}

/// `nanobanana batch` (the CLI, in its own process) on an N-line file against a sandbox limited
/// to R creates/s: wall time vs the bound N/R, and the sandbox's counters.
pub async fn run_cli(generations: usize, rate: u32) {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("nanobanana")))
        .filter(|path| path.exists());
    let Some(binary) = binary else {
        println!("batch (CLI): skipped, build it first: cargo build --release -p nanobanana-cli");
        return;
    };
    let config = SandboxConfig {
        time_scale: 0.001,
        rate_limit_per_sec: Some(rate),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..generations)
        .map(|i| {
            format!(
                "{{\"prompt\": \"a cat, variation {}\", \"quality\": \"1K\"}}\n",
                i % 8
            )
        })
        .collect();
    let file = dir.path().join("cats.jsonl");
    std::fs::write(&file, lines).unwrap();
    let concurrency = ((rate as usize).max(16) * 2).to_string();
    let start = Instant::now();
    let output = tokio::process::Command::new(&binary)
        .args([
            "batch",
            file.to_str().unwrap(),
            "--concurrency",
            &concurrency,
        ])
        .env("EVOLINK_API_KEY", "sk-bench")
        .env("EVOLINK_BASE_URL", sandbox.base_url())
        .env("EVOLINK_FILES_BASE_URL", sandbox.files_base_url())
        .output()
        .await
        .unwrap();
    let wall = start.elapsed();
    let stats = sandbox.stats();
    let bound = Duration::from_secs_f64(generations as f64 / rate as f64);
    let ratio = wall.as_secs_f64() / bound.as_secs_f64();
    report(
        &format!("batch CLI ({generations} lines, {rate} creates/s, {concurrency} in flight)"),
        &format!("wall {:.2} s", wall.as_secs_f64()),
        &format!("bound N/R {:.2} s", bound.as_secs_f64()),
        ratio,
        "≤ 1.1",
        ratio <= 1.1 && output.status.success(),
    );
    println!(
        "batch CLI: {} (exit {:?}); sandbox created {}, rejected {} with 429",
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or(""),
        output.status.code(),
        stats.creates,
        stats.creates_rejected,
    );
}
