//! Small measuring helpers: medians, percentiles, peak memory, reports.

use std::time::Duration;

/// The median of `samples` (sorted in place).
pub fn median(samples: &mut [Duration]) -> Duration {
    percentile(samples, 50.0)
}

/// The `p`th percentile of `samples` (sorted in place).
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (samples.len() - 1) as f64).round() as usize;
    samples[rank.min(samples.len() - 1)]
}

/// This process's peak resident memory (VmHWM), in KiB.
pub fn peak_rss_kib() -> u64 {
    status_field("VmHWM:")
}

/// Resets this process's peak resident memory to its current value (Linux `clear_refs` 5), so
/// a later [`peak_rss_kib`] measures only what follows.
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// This process's current resident memory (VmRSS), in KiB.
pub fn rss_kib() -> u64 {
    status_field("VmRSS:")
}

fn status_field(name: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Prints one figure against its baseline and target: `name: value vs baseline = ratio (target) PASS|MISS`.
pub fn report(name: &str, figure: &str, baseline: &str, ratio: f64, target: &str, pass: bool) {
    println!(
        "{name}: {figure} vs {baseline}: ratio {ratio:.3} (target {target}) {}",
        if pass { "PASS" } else { "MISS" }
    );
}

/// Microseconds with one decimal.
pub fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// Runs `curl -sS -w %{time_total} <args>` and returns curl's own transfer time (connect to
/// last byte), without its process start.
pub async fn curl_transfer_time(args: &[&str]) -> Duration {
    let output = tokio::process::Command::new("curl")
        .args(["-sS", "-w", "%{time_total}"])
        .args(args)
        .output()
        .await
        .expect("curl runs");
    assert!(output.status.success(), "curl {args:?} failed");
    let seconds: f64 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("curl's time_total");
    Duration::from_secs_f64(seconds)
}
