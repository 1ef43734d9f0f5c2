//! Bulk waiting: task queries per task for N tasks on the sandbox, each task waited for with
//! its own single queries (`client.wait`, as batches did before) vs `generate_many`, which
//! waits for its tasks 50 at a time with the batch query. Counted by the sandbox (single and
//! batch queries alike), in one run.

use std::sync::Arc;
use std::time::Instant;

use futures_util::future::join_all;
use nanobanana_api::{tasks::BatchOptions, types, NanoBanana};
use nanobanana_sandbox::{Sandbox, SandboxConfig};

use crate::measure::report;

/// Tasks of 1.8 s that report an estimate of 2 s: the first query, just past the estimate,
/// finds each done.
const SCALE: f64 = 0.04;

fn request(i: usize) -> types::builder::ImageGenerationRequest {
    types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt(format!("a cat, variation {}", i % 8))
        .quality(types::ImageQuality::Res1K)
}

pub async fn run(tasks: usize) {
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: SCALE,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = Arc::new(NanoBanana::new(&sandbox.client_config("sk-bench").unwrap()).unwrap());

    // Single queries: every task created and waited for on its own, all at once.
    let start = Instant::now();
    let before = sandbox.stats().task_queries;
    let waits = (0..tasks).map(|i| {
        let client = Arc::clone(&client);
        async move {
            let created = client.create(request(i)).await?;
            client.wait(&created).await
        }
    });
    let single_ok = join_all(waits).await.iter().filter(|r| r.is_ok()).count();
    let single = sandbox.stats().task_queries - before;
    let single_wall = start.elapsed();

    // Batch queries: the same tasks through generate_many, all in flight.
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let before = sandbox.stats().task_queries;
    let results = client
        .generate_many(
            (0..tasks).map(request),
            BatchOptions::new(tasks, dir.path()),
        )
        .await
        .unwrap();
    let batch_ok = results.iter().filter(|r| r.is_ok()).count();
    let batch = sandbox.stats().task_queries - before;
    let batch_wall = start.elapsed();

    let per_task = |queries: u64| queries as f64 / tasks as f64;
    report(
        &format!("bulk waiting ({tasks} tasks of {:.1} s)", 45.0 * SCALE),
        &format!(
            "generate_many {:.3} task queries/task ({batch} queries, {batch_ok}/{tasks} saved, {:.1} s)",
            per_task(batch),
            batch_wall.as_secs_f64()
        ),
        &format!(
            "single queries {:.3} ({single} queries, {single_ok}/{tasks} done, {:.1} s)",
            per_task(single),
            single_wall.as_secs_f64()
        ),
        per_task(batch) / per_task(single).max(f64::MIN_POSITIVE),
        "≤ 0.1 queries per task",
        per_task(batch) <= 0.1 && batch_ok == tasks,
    );
}
