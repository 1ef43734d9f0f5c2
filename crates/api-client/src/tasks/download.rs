//! Saving result images: streamed to a temporary file beside the target, checked (image magic
//! bytes, `Content-Length`), resumed with `Range` after a broken transfer, synced, then renamed,
//! so a crash never leaves a partial image under the final name. The download client never
//! carries the API key: result URLs live on another host.

use std::path::{Path, PathBuf};

use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, RANGE};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::error::Error;
use crate::files::image_format::ImageFormat;
use crate::types;

/// Downloads result images; see the module docs.
#[derive(Clone, Debug)]
pub(crate) struct ResultDownloader {
    http: reqwest::Client,
    attempts: usize,
    overwrite: bool,
}

impl ResultDownloader {
    /// A downloader using `http`, which must not carry the API key.
    pub(crate) fn new(http: reqwest::Client) -> Self {
        Self {
            http,
            attempts: 3,
            overwrite: false,
        }
    }

    /// How many times one image is requested before giving up (each retry resumes).
    pub(crate) fn with_attempts(mut self, attempts: usize) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// Replace existing files instead of refusing.
    pub(crate) fn with_overwrite(mut self, overwrite: bool) -> Self {
        self.overwrite = overwrite;
        self
    }

    /// Saves every result of `task` into `dir` (created if needed) as `<task_id>-<n>.<ext>`.
    pub(crate) async fn download(
        &self,
        task: &types::TaskDetail,
        dir: &Path,
    ) -> Result<Vec<PathBuf>, Error> {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|source| Error::Io {
                action: "cannot create the directory",
                path: dir.to_path_buf(),
                source,
            })?;
        let mut files = Vec::with_capacity(task.results.len());
        for (index, url) in task.results.iter().enumerate() {
            files.push(self.download_one(&task.id, index, url, dir).await?);
        }
        Ok(files)
    }

    /// Saves result `index` of task `task_id` from `url` into `dir`.
    pub(crate) async fn download_one(
        &self,
        task_id: &str,
        index: usize,
        url: &str,
        dir: &Path,
    ) -> Result<PathBuf, Error> {
        let stem = format!("{}-{index}", safe_file_stem(task_id));
        let fail = |problem: String, expired: bool| Error::Download {
            task_id: task_id.to_string(),
            index,
            problem,
            expired,
        };
        if !self.overwrite {
            for format in ImageFormat::ALL {
                let existing = dir.join(format!("{stem}.{}", format.extension()));
                if existing.exists() {
                    return Err(fail(
                        format!(
                            "{} exists; save with `SaveTo::from(dir).overwrite(true)` to replace it",
                            existing.display()
                        ),
                        false,
                    ));
                }
            }
        }
        let partial = dir.join(format!(".{stem}.part"));
        let mut last_problem = String::new();
        for attempt in 1..=self.attempts {
            match self.transfer(url, &partial).await {
                Ok(Transfer::Complete(format)) => {
                    let target = dir.join(format!("{stem}.{}", format.extension()));
                    tokio::fs::rename(&partial, &target)
                        .await
                        .map_err(|source| Error::Io {
                            action: "cannot move the downloaded image to",
                            path: target.clone(),
                            source,
                        })?;
                    sync_dir(dir);
                    return Ok(target);
                }
                Ok(Transfer::Fatal { problem, expired }) => {
                    let _ = tokio::fs::remove_file(&partial).await;
                    return Err(fail(problem, expired));
                }
                Ok(Transfer::Broken(problem)) => {
                    tracing::info!(task_id, index, attempt, problem = %problem, "download interrupted, resuming");
                    last_problem = problem;
                }
                Err(io) => return Err(io),
            }
        }
        Err(fail(
            format!(
                "{last_problem} (after {} attempts; the partial file {} is kept for resuming)",
                self.attempts,
                partial.display()
            ),
            false,
        ))
    }

    /// One request: resumes `partial` from its length, appends, and checks the result.
    async fn transfer(&self, url: &str, partial: &Path) -> Result<Transfer, Error> {
        let io = |action: &'static str| {
            let path = partial.to_path_buf();
            move |source| Error::Io {
                action,
                path,
                source,
            }
        };
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(partial)
            .await
            .map_err(io("cannot open"))?;
        let mut offset = file.metadata().await.map_err(io("cannot read"))?.len();

        let mut request = self.http.get(url);
        if offset > 0 {
            request = request.header(RANGE, format!("bytes={offset}-"));
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(e) => return Ok(Transfer::Broken(format!("request failed: {e}"))),
        };
        let status = response.status();
        let expected_total = match status {
            StatusCode::PARTIAL_CONTENT => {
                let range = header(&response, CONTENT_RANGE).unwrap_or_default();
                if !range.starts_with(&format!("bytes {offset}-")) {
                    return Ok(Transfer::Broken(format!(
                        "the server resumed at {range:?}, not at byte {offset}"
                    )));
                }
                range.rsplit('/').next().and_then(|t| t.parse::<u64>().ok())
            }
            s if s.is_success() => {
                // A full body: start over.
                offset = 0;
                file.set_len(0).await.map_err(io("cannot truncate"))?;
                header(&response, CONTENT_LENGTH).and_then(|l| l.parse().ok())
            }
            StatusCode::NOT_FOUND | StatusCode::GONE => {
                return Ok(Transfer::Fatal {
                    problem: format!("the result link answered HTTP {}", status.as_u16()),
                    expired: true,
                })
            }
            s if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => {
                return Ok(Transfer::Broken(format!(
                    "the result host answered HTTP {}",
                    s.as_u16()
                )))
            }
            s => {
                return Ok(Transfer::Fatal {
                    problem: format!("the result host answered HTTP {}", s.as_u16()),
                    expired: false,
                })
            }
        };
        file.seek(std::io::SeekFrom::Start(offset))
            .await
            .map_err(io("cannot seek"))?;

        let mut written = offset;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    file.write_all(&chunk).await.map_err(io("cannot write"))?;
                    written += chunk.len() as u64;
                }
                Ok(None) => break,
                Err(e) => {
                    file.flush().await.map_err(io("cannot write"))?;
                    return Ok(Transfer::Broken(format!(
                        "the transfer broke after {written} bytes: {e}"
                    )));
                }
            }
        }
        file.flush().await.map_err(io("cannot write"))?;
        if let Some(total) = expected_total {
            if written < total {
                return Ok(Transfer::Broken(format!("got {written} of {total} bytes")));
            }
            if written > total {
                return Ok(Transfer::Fatal {
                    problem: format!("got {written} bytes, more than the {total} announced"),
                    expired: false,
                });
            }
        }

        let mut head = [0u8; ImageFormat::SNIFF_LEN];
        file.seek(std::io::SeekFrom::Start(0))
            .await
            .map_err(io("cannot seek"))?;
        let read = read_up_to(&mut file, &mut head)
            .await
            .map_err(io("cannot read"))?;
        let Some(format) = ImageFormat::sniff(&head[..read]) else {
            return Ok(Transfer::Fatal {
                problem: format!(
                    "the body is not a PNG, JPEG, GIF or WebP image (starts {:02x?})",
                    &head[..read]
                ),
                expired: false,
            });
        };
        file.sync_all().await.map_err(io("cannot sync"))?;
        Ok(Transfer::Complete(format))
    }
}

/// How one request went.
enum Transfer {
    Complete(ImageFormat),
    /// Worth another request (resuming from what was written).
    Broken(String),
    /// Not worth another request.
    Fatal {
        problem: String,
        expired: bool,
    },
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn read_up_to(file: &mut tokio::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// Task ids come from the network: keep only characters safe in a file name.
fn safe_file_stem(task_id: &str) -> String {
    task_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Makes the rename durable where the platform allows it.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_cannot_escape_the_directory() {
        assert_eq!(safe_file_stem("../../etc/passwd"), "______etc_passwd");
        assert_eq!(safe_file_stem("task-unified-1-abc"), "task-unified-1-abc");
    }
}
