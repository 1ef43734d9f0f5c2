//! The progress display: a bar driven by the task's reported progress and, between the few
//! polls, by the time elapsed against the estimate. Drawn on stderr only when it is a
//! terminal, so piped output holds no control characters.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nanobanana_api::WaitEvent;

/// A progress bar for one task.
pub struct TaskProgress {
    bar: ProgressBar,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl TaskProgress {
    /// Starts the bar for a task estimated to take `estimate`.
    pub fn start(task_id: &str, estimate: Option<Duration>) -> Self {
        let bar = ProgressBar::with_draw_target(Some(100), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg:12} [{bar:30}] {pos:>3}% {elapsed}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_message("submitted");
        bar.enable_steady_tick(Duration::from_millis(120));
        let ticker = estimate.filter(|_| !bar.is_hidden()).map(|estimate| {
            let bar = bar.clone();
            let started = Instant::now();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    let guess = (started.elapsed().as_secs_f64() / estimate.as_secs_f64() * 100.0)
                        .min(95.0) as u64;
                    if guess > bar.position() {
                        bar.set_position(guess);
                    }
                }
            })
        });
        let _ = task_id;
        Self { bar, ticker }
    }

    /// Shows what a poll reported.
    pub fn update(&self, event: &WaitEvent) {
        self.bar.set_message(event.status.to_string());
        if let Some(progress) = event.progress {
            let progress = progress.clamp(0, 100) as u64;
            if progress > self.bar.position() {
                self.bar.set_position(progress);
            }
        }
    }

    /// Shows a step after waiting, such as downloading.
    pub fn step(&self, message: &str) {
        self.bar.set_message(message.to_string());
    }

    /// Removes the bar.
    pub fn finish(mut self) {
        if let Some(ticker) = self.ticker.take() {
            ticker.abort();
        }
        self.bar.finish_and_clear();
    }
}

/// A bar over the uploads of local `--image` files.
pub struct UploadProgress {
    bar: ProgressBar,
}

impl UploadProgress {
    /// Starts the bar for `files` uploads.
    pub fn start(files: usize) -> Self {
        let bar = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg:12} [{bar:30}] {pos}/{len} images")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_message("uploading");
        bar.enable_steady_tick(Duration::from_millis(120));
        Self { bar }
    }

    /// One file is stored at `url`.
    pub fn uploaded(&self, path: &std::path::Path, url: &str) {
        self.bar.inc(1);
        let line = format!("uploaded {} -> {url}", path.display());
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }

    /// Removes the bar.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}
