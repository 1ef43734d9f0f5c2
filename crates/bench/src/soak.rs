//! Soak: a sandbox in its own process under mixed traffic at full speed (creates, task queries,
//! result downloads, uploads) for a set time, with its resident memory read at checkpoints. The
//! task store and the uploads kept are capped low so the caps are reached early; from the first
//! checkpoint after them to the last, memory should stay flat (within 5 %).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::measure::report;

/// The soak's store cap: reached within the first seconds at full speed.
const MAX_TASKS: usize = 20_000;

/// The soak's cap on uploads kept: reached within the first seconds with an upload every 32nd
/// round.
const MAX_UPLOADS: usize = 500;

#[derive(Default)]
struct Tally {
    creates: AtomicU64,
    queries: AtomicU64,
    downloads: AtomicU64,
    uploads: AtomicU64,
    errors: AtomicU64,
}

fn rss_kib_of(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// One client's loop: create, query, and every few rounds download a result and upload a file.
async fn worker(
    http: reqwest::Client,
    base: String,
    files: String,
    tally: Arc<Tally>,
    until: Instant,
    uploads_every: u64,
) {
    let png = nanobanana_sandbox::images::render_png(7, 64, 64);
    let mut round = 0u64;
    // Tasks take 45 ms here: query the one created 8 rounds ago, finished by now.
    let mut created_ids: std::collections::VecDeque<String> = std::collections::VecDeque::new();
    while Instant::now() < until {
        round += 1;
        let ok = |r: &Result<reqwest::Response, reqwest::Error>| {
            r.as_ref().is_ok_and(|r| r.status().is_success())
        };
        let created = http
            .post(format!("{base}/v1/images/generations"))
            .bearer_auth("sk-soak")
            .json(&json!({"model": "nano-banana-2-lite", "prompt": format!("a cat {}", round % 64), "quality": "1K"}))
            .send()
            .await;
        if !ok(&created) {
            tally.errors.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        tally.creates.fetch_add(1, Ordering::Relaxed);
        let task: Value = created.unwrap().json().await.unwrap_or_default();
        let id = task["id"].as_str().unwrap_or_default().to_string();
        created_ids.push_back(id);
        let earlier = if created_ids.len() > 8 {
            created_ids.pop_front()
        } else {
            None
        };
        if let Some(previous) = earlier {
            let queried = http
                .get(format!("{base}/v1/tasks/{previous}"))
                .bearer_auth("sk-soak")
                .send()
                .await;
            if !ok(&queried) {
                tally.errors.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            tally.queries.fetch_add(1, Ordering::Relaxed);
            let detail: Value = queried.unwrap().json().await.unwrap_or_default();
            if round.is_multiple_of(8) {
                if let Some(url) = detail["results"][0].as_str() {
                    let fetched = match http.get(url).send().await {
                        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                        _ => false,
                    };
                    let counter = if fetched {
                        &tally.downloads
                    } else {
                        &tally.errors
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        if uploads_every > 0 && round.is_multiple_of(uploads_every) {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(png.clone())
                    .file_name("soak.png")
                    .mime_str("image/png")
                    .unwrap(),
            );
            let uploaded = http
                .post(format!("{files}/api/v1/files/upload/stream"))
                .bearer_auth("sk-soak")
                .multipart(form)
                .send()
                .await;
            if ok(&uploaded) {
                tally.uploads.fetch_add(1, Ordering::Relaxed);
            } else {
                tally.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

pub async fn run(seconds: u64, clients: usize, uploads_every: u64) {
    let (child, base, files) = crate::sandbox_process_with_options(&[
        "--max-tasks",
        &MAX_TASKS.to_string(),
        "--max-uploads",
        &MAX_UPLOADS.to_string(),
    ])
    .await;
    let pid = child.id().expect("the sandbox runs");
    let http = reqwest::Client::new();
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            tokio::spawn(worker(
                http.clone(),
                base.clone(),
                files.clone(),
                tally.clone(),
                until,
                uploads_every,
            ))
        })
        .collect();
    let every = Duration::from_secs((seconds / 12).max(1));
    let mut checkpoints = Vec::new();
    while Instant::now() < until {
        tokio::time::sleep(every).await;
        let creates = tally.creates.load(Ordering::Relaxed);
        let uploads = tally.uploads.load(Ordering::Relaxed);
        let at_caps = creates as usize >= MAX_TASKS
            && (uploads_every == 0 || uploads as usize >= MAX_UPLOADS);
        let rss = rss_kib_of(pid);
        println!(
            "soak checkpoint {:>5.1} s: RSS {:>6.1} MiB, {creates} creates{}",
            started.elapsed().as_secs_f64(),
            rss as f64 / 1024.0,
            if at_caps {
                " (store and uploads at their caps)"
            } else {
                ""
            }
        );
        checkpoints.push((at_caps, rss));
    }
    for w in workers {
        let _ = w.await;
    }
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    let served =
        load(&tally.creates) + load(&tally.queries) + load(&tally.downloads) + load(&tally.uploads);
    println!(
        "soak: {served} requests in {seconds} s ({} creates, {} queries, {} downloads, {} uploads), {} errors, {clients} clients",
        load(&tally.creates),
        load(&tally.queries),
        load(&tally.downloads),
        load(&tally.uploads),
        load(&tally.errors),
    );
    let at_cap: Vec<u64> = checkpoints
        .iter()
        .filter(|(cap, _)| *cap)
        .map(|(_, r)| *r)
        .collect();
    match (at_cap.first(), at_cap.last()) {
        (Some(&first), Some(&last)) if at_cap.len() >= 2 => {
            let growth = last as f64 / first as f64;
            report(
                &format!("soak RSS after the caps ({MAX_TASKS} tasks, {MAX_UPLOADS} uploads)"),
                &format!("last checkpoint {:.1} MiB", last as f64 / 1024.0),
                &format!("first at the cap {:.1} MiB", first as f64 / 1024.0),
                growth,
                "≤ 1.05 (flat)",
                growth <= 1.05,
            );
        }
        _ => println!("soak: the store did not reach its cap ({MAX_TASKS}) with two checkpoints to spare: run longer"),
    }
    drop(child);
}
