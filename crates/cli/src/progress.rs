//! The progress displays: a bar over the bytes of the local images being uploaded, then a bar
//! driven by the task's reported progress and, between the few polls, by the time elapsed
//! against the estimate. Drawn on stderr only when it is a terminal, so piped output holds no
//! control characters (one `uploaded …` line per stored file instead).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nanobanana_api::{Event, Observer, UploadEvent, WaitEvent};

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

    /// An observer that shows what each poll reported on this bar (or, when stderr is not
    /// a terminal, a line for each change of status or progress), and every retry.
    pub fn observer(&self) -> Observer {
        let bar = self.bar.clone();
        let last = Arc::new(Mutex::new(None::<(String, Option<i64>)>));
        Observer::new(move |event| match event {
            Event::Wait(poll) if bar.is_hidden() => {
                let now = (poll.status.to_string(), poll.progress);
                let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
                if last.as_ref() != Some(&now) {
                    let progress = poll.progress.map(|p| format!(" {p}%")).unwrap_or_default();
                    crate::output::note!(
                        "task {}: {}{progress} after {:.0} s",
                        poll.task_id,
                        poll.status,
                        poll.elapsed.as_secs_f64()
                    );
                    *last = Some(now);
                }
            }
            Event::Wait(poll) => show_poll(&bar, poll),
            Event::Retry(retry) => crate::notices::show_retry(Some(&bar), retry),
            _ => {}
        })
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

/// Shows what a poll reported.
fn show_poll(bar: &ProgressBar, event: &WaitEvent) {
    bar.set_message(crate::output::printable(&event.status.to_string()).into_owned());
    if let Some(progress) = event.progress {
        let progress = progress.clamp(0, 100) as u64;
        if progress > bar.position() {
            bar.set_position(progress);
        }
    }
}

/// A bar over the bytes of the local `--image` files being uploaded; one line per stored file.
/// Cloned into the upload tasks, which report what they send.
#[derive(Clone)]
pub struct UploadProgress {
    bar: ProgressBar,
    tally: Arc<Mutex<UploadTally>>,
    files: usize,
}

impl UploadProgress {
    /// Starts the bar for `files` uploads.
    pub fn start(files: usize) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg:16} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.set_message(format!("uploading 0/{files}"));
        bar.enable_steady_tick(Duration::from_millis(120));
        Self {
            bar,
            tally: Arc::default(),
            files,
        }
    }

    /// The bar, for lines printed above it.
    pub fn bar(&self) -> &ProgressBar {
        &self.bar
    }

    /// Shows what an upload task reported.
    pub fn show(&self, event: &UploadEvent<'_>) {
        let mut tally = self
            .tally
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match event {
            UploadEvent::Sending {
                index, sent, total, ..
            } => {
                tally.sending(*index, *sent, *total);
                self.bar.set_length(tally.total());
                self.bar.set_position(tally.sent());
            }
            UploadEvent::Stored { path, file, .. } => {
                tally.stored += 1;
                self.bar
                    .set_message(format!("uploading {}/{}", tally.stored, self.files));
                let line = format!("uploaded {} -> {}", path.display(), file.file_url);
                if self.bar.is_hidden() {
                    crate::output::note!("{line}");
                } else {
                    self.bar.println(crate::output::printable(&line));
                }
            }
            _ => {}
        }
    }

    /// Removes the bar.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}

/// Bytes sent and to send over several files uploaded at once, by their index.
#[derive(Debug, Default)]
struct UploadTally {
    /// `(sent, total)` per file whose upload has started.
    files: BTreeMap<usize, (u64, u64)>,
    stored: usize,
}

impl UploadTally {
    /// File `index` has sent `sent` of `total` bytes in its current attempt (a retry starts
    /// again at 0, and so does the bar's share of it).
    fn sending(&mut self, index: usize, sent: u64, total: u64) {
        self.files.insert(index, (sent.min(total), total));
    }

    fn sent(&self) -> u64 {
        self.files.values().map(|(sent, _)| sent).sum()
    }

    fn total(&self) -> u64 {
        self.files.values().map(|(_, total)| total).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::UploadTally;

    #[test]
    fn the_tally_sums_concurrent_files_and_a_retry_counts_again() {
        let mut tally = UploadTally::default();
        tally.sending(0, 0, 1000);
        tally.sending(2, 0, 500);
        tally.sending(0, 600, 1000);
        tally.sending(2, 500, 500);
        assert_eq!((tally.sent(), tally.total()), (1100, 1500));
        // File 0 failed and is sent again: its share restarts, the total stays.
        tally.sending(0, 0, 1000);
        assert_eq!((tally.sent(), tally.total()), (500, 1500));
        tally.sending(0, 1000, 1000);
        assert_eq!((tally.sent(), tally.total()), (1500, 1500));
        // A count past the size (a file that grew after its check) never overfills the bar.
        tally.sending(2, 900, 500);
        assert_eq!(tally.sent(), 1500);
    }
}

/// One bar over the items of a batch (done or failed), or one line per finished item when
/// stderr is not a terminal.
#[derive(Clone)]
pub struct BatchProgress {
    bar: ProgressBar,
}

impl BatchProgress {
    /// Starts the bar for `items` requests.
    pub fn start(items: usize) -> Self {
        let bar = ProgressBar::with_draw_target(Some(items as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} batch [{bar:30}] {pos}/{len} {msg} {elapsed}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Self { bar }
    }

    /// Records the item of batch-file line `line` as finished: done, or failed as `failure`
    /// says.
    pub fn item_done(&self, line: usize, failure: Option<&str>) {
        self.bar.inc(1);
        if self.bar.is_hidden() {
            match failure {
                None => crate::output::note!("line {line}: done"),
                Some(failure) => crate::output::note!("line {line}: failed: {failure}"),
            }
        } else if failure.is_some() {
            self.bar.set_message(format!("(line {line} failed)"));
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
