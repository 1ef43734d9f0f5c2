//! Download: a result PNG streamed to disk by the SDK vs curl on the same URL, and the SDK's
//! peak memory above its baseline for two image sizes. The sandbox runs in another process so
//! its memory is not counted.

use std::time::{Duration, Instant};

use nanobanana_api::{config::ClientConfig, types, NanoBanana};

use crate::measure::{curl_transfer_time, median, peak_rss_kib, report, reset_peak_rss, rss_kib};

pub async fn run() {
    let (_child, base) = crate::sandbox_process().await;
    let client = NanoBanana::new(
        &ClientConfig::new("sk-bench")
            .unwrap()
            .with_base_url(&base)
            .unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();

    for (label, size, quality) in [
        (
            "2K 1:1",
            types::ImageSize::Ratio1x1,
            types::ImageQuality::Res2K,
        ),
        (
            "4K 1:1",
            types::ImageSize::Ratio1x1,
            types::ImageQuality::Res4K,
        ),
    ] {
        let request = types::ImageGenerationRequest::builder()
            .model(types::ImageModel::NanoBanana2Lite)
            .prompt(format!("download bench {label}"))
            .size(size)
            .quality(quality);
        let created = client.create(request).await.unwrap();
        let task = client.wait(&created).await.unwrap();
        let url = task.results[0].clone();
        // Warm the sandbox's render cache so both sides fetch the same stored bytes.
        let bytes = reqwest::get(&url)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .len();

        reset_peak_rss();
        let baseline_rss = rss_kib();
        let mut ours = Vec::new();
        for i in 0..5 {
            let run_dir = dir.path().join(format!("{label}-{i}").replace(' ', "_"));
            let start = Instant::now();
            client.download(&task, &run_dir).await.unwrap();
            ours.push(start.elapsed());
        }
        let peak_above = peak_rss_kib().saturating_sub(baseline_rss);

        let mut curl = Vec::new();
        for i in 0..5 {
            let out = dir.path().join(format!("curl-{i}.png"));
            curl.push(curl_transfer_time(&["-o", out.to_str().unwrap(), &url]).await);
        }
        let (o, c): (Duration, Duration) = (median(&mut ours), median(&mut curl));
        let mb = bytes as f64 / 1e6;
        let (ours_rate, curl_rate) = (mb / o.as_secs_f64(), mb / c.as_secs_f64());
        report(
            &format!("download {label} ({mb:.2} MB)"),
            &format!("SDK {ours_rate:.0} MB/s ({:.1} ms)", o.as_secs_f64() * 1e3),
            &format!(
                "curl {curl_rate:.0} MB/s ({:.1} ms, fsync not done)",
                c.as_secs_f64() * 1e3
            ),
            ours_rate / curl_rate,
            "≥ 0.5× curl",
            ours_rate / curl_rate >= 0.5,
        );
        println!(
            "download {label}: peak RSS above baseline {:.2} MiB (target < 16 MiB, independent of size) {}",
            peak_above as f64 / 1024.0,
            if peak_above < 16 * 1024 { "PASS" } else { "MISS" }
        );
    }
}
