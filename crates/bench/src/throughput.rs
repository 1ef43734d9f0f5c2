//! Sandbox throughput: task queries/s and p99 with N concurrent clients, vs Prism serving the
//! same spec on the same machine in the same run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::measure::{percentile, report};

struct Load {
    per_second: f64,
    p99: Duration,
    errors: usize,
}

async fn load(url: String, clients: usize, seconds: u64) -> Load {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let url = Arc::new(url);
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (http, url) = (http.clone(), url.clone());
        workers.push(tokio::spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0);
            while Instant::now() < until {
                let start = Instant::now();
                match http.get(url.as_str()).bearer_auth("sk-bench").send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(start.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for worker in workers {
        let (latencies, e) = worker.await.unwrap();
        all.extend(latencies);
        errors += e;
    }
    Load {
        per_second: all.len() as f64 / seconds as f64,
        p99: percentile(&mut all, 99.0),
        errors,
    }
}

pub async fn run(clients: usize, seconds: u64, prism: Option<String>) {
    let (_child, base) = crate::sandbox_process().await;
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/v1/images/generations"))
        .bearer_auth("sk-bench")
        .json(&serde_json::json!({"model": "nano-banana-2-lite", "prompt": "a cat"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let ours = load(format!("{base}/v1/tasks/{id}"), clients, seconds).await;
    println!(
        "throughput sandbox: {:.0} task queries/s, p99 {:.2} ms, {} errors ({clients} clients, {seconds} s)",
        ours.per_second,
        ours.p99.as_secs_f64() * 1e3,
        ours.errors
    );
    let Some(prism) = prism else {
        println!("throughput Prism: skipped (set PRISM_BIN; see scripts/bench.sh)");
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let spec = xtask::workspace_root().join("spec/openapi.yaml");
    let mut child = tokio::process::Command::new(prism)
        .args([
            "mock",
            spec.to_str().unwrap(),
            "-p",
            &port.to_string(),
            "-h",
            "127.0.0.1",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("prism runs");
    crate::wait_for_port(port).await;
    let theirs = load(
        format!("http://127.0.0.1:{port}/v1/tasks/{id}"),
        clients,
        seconds,
    )
    .await;
    let _ = child.kill().await;
    println!(
        "throughput Prism: {:.0} task queries/s, p99 {:.2} ms, {} errors",
        theirs.per_second,
        theirs.p99.as_secs_f64() * 1e3,
        theirs.errors
    );
    let ratio = ours.per_second / theirs.per_second.max(1e-9);
    report(
        "throughput",
        &format!("sandbox {:.0}/s", ours.per_second),
        &format!("Prism {:.0}/s", theirs.per_second),
        ratio,
        "≥ 10×",
        ratio >= 10.0,
    );
}
