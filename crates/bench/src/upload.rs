//! Upload: a local image sent by the SDK (checked, then streamed from disk as a multipart part)
//! vs `curl -F` on the same file and endpoint, and the SDK's peak memory above its baseline for
//! a 100 KB and a 10 MB file: streaming means the second is not ~10 MB higher. The sandbox runs
//! in another process so its memory (it keeps the files) is not counted.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use nanobanana_api::{config::ClientConfig, NanoBanana, Observer};

use crate::measure::{curl_transfer_time, median, peak_rss_kib, report, reset_peak_rss, rss_kib};

const RUNS: usize = 5;
/// Interleaved uploads with and without progress events.
const PAIRS: usize = 21;

pub async fn run() {
    let (_child, base, files_base) = crate::sandbox_process_with_files().await;
    let client = NanoBanana::new(
        &ClientConfig::new("sk-bench")
            .unwrap()
            .with_base_url(&base)
            .unwrap()
            .with_files_base_url(&files_base)
            .unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut peaks = Vec::new();

    for (label, size) in [("100 KB", 100 * 1024), ("10 MB", 10 * 1024 * 1024)] {
        let path = dir.path().join(format!("{}.png", label.replace(' ', "")));
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend((0..size - 8).map(|i| (i * 31 % 251) as u8));
        std::fs::write(&path, &bytes).unwrap();
        drop(bytes);
        client.files().upload(path.as_path()).await.unwrap(); // warm the connection

        reset_peak_rss();
        let baseline_rss = rss_kib();
        let mut ours = Vec::new();
        for _ in 0..RUNS {
            let start = Instant::now();
            client.files().upload(path.as_path()).await.unwrap();
            ours.push(start.elapsed());
        }
        let peak_above = peak_rss_kib().saturating_sub(baseline_rss);
        peaks.push(peak_above);

        // The same upload observed, counting every progress event, in pairs
        // with a plain upload so that drift in the machine hits both alike.
        let (mut with_progress, mut without) = (Vec::new(), Vec::new());
        let events = Arc::new(AtomicUsize::new(0));
        for _ in 0..PAIRS {
            let start = Instant::now();
            client.files().upload(path.as_path()).await.unwrap();
            without.push(start.elapsed());
            let counted = Arc::clone(&events);
            let start = Instant::now();
            client
                .observe(Observer::new(move |_| {
                    counted.fetch_add(1, Ordering::Relaxed);
                }))
                .files()
                .upload(path.as_path())
                .await
                .unwrap();
            with_progress.push(start.elapsed());
        }

        let mut curl = Vec::new();
        for _ in 0..RUNS {
            let form = format!("file=@{};type=image/png", path.display());
            let url = format!("{files_base}/api/v1/files/upload/stream");
            let auth = "Authorization: Bearer sk-bench";
            let args = ["-o", "/dev/null", "-H", auth, "-F", &form, &url];
            curl.push(curl_transfer_time(&args).await);
        }
        let (o, c) = (median(&mut ours), median(&mut curl));
        let mb = size as f64 / 1e6;
        let (ours_rate, curl_rate) = (mb / o.as_secs_f64(), mb / c.as_secs_f64());
        report(
            &format!("upload {label}"),
            &format!("SDK {ours_rate:.0} MB/s ({:.1} ms)", o.as_secs_f64() * 1e3),
            &format!(
                "curl -F {curl_rate:.0} MB/s ({:.1} ms)",
                c.as_secs_f64() * 1e3
            ),
            ours_rate / curl_rate,
            "≥ 0.5× curl",
            ours_rate / curl_rate >= 0.5,
        );
        let (p, w) = (median(&mut with_progress), median(&mut without));
        report(
            &format!("upload {label} with progress events"),
            &format!(
                "{:.1} ms, {} events per upload",
                p.as_secs_f64() * 1e3,
                events.load(Ordering::Relaxed) / PAIRS
            ),
            &format!("without {:.1} ms", w.as_secs_f64() * 1e3),
            w.as_secs_f64() / p.as_secs_f64(),
            "≥ 0.9× without",
            w.as_secs_f64() / p.as_secs_f64() >= 0.9,
        );
        println!(
            "upload {label}: peak RSS above baseline {:.2} MiB",
            peak_above as f64 / 1024.0
        );
    }
    let growth = peaks[1].saturating_sub(peaks[0]) as f64 / 1024.0;
    println!(
        "upload: peak RSS grows {growth:.2} MiB from a 100 KB to a 10 MB file (target < 2 MiB: streamed, not buffered) {}",
        if growth < 2.0 { "PASS" } else { "MISS" }
    );
}
