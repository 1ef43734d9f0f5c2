//! `generate`'s create step: the local files uploaded and the task created, with Ctrl-C
//! answered at every step so that a task created is never lost.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use nanobanana_api::ImageRequest;

use super::generate::{interrupted_json, resume_command};
use crate::args::GenerateArgs;
use crate::connection::Connection;
use crate::error::CliError;
use crate::output::note;
use crate::progress::UploadProgress;
use crate::signals::Signals;

/// Uploads the local files and creates the task, answering Ctrl-C at every step: before the
/// create is sent, nothing was created; once it is on its way, the task may be created (and
/// billed), so a first signal waits for the answer to print the id, and a second one abandons it.
pub async fn create(
    connection: &Connection,
    request: ImageRequest,
    key: &str,
    local_files: usize,
    signals: &mut Signals,
    args: &GenerateArgs,
) -> Result<nanobanana_api::tasks::CreatedTask, CliError> {
    let uploads = (local_files > 0).then(|| UploadProgress::start(local_files));
    let stored = Arc::new(AtomicUsize::new(0));
    let observer = {
        let uploads = uploads.clone();
        let stored = Arc::clone(&stored);
        nanobanana_api::Observer::new(move |event| match event {
            nanobanana_api::Event::Upload(upload) => {
                if let nanobanana_api::UploadEvent::Stored { .. } = upload {
                    stored.fetch_add(1, Ordering::SeqCst);
                }
                if let Some(uploads) = &uploads {
                    uploads.show(upload);
                }
            }
            nanobanana_api::Event::Retry(retry) => {
                crate::notices::show_retry(uploads.as_ref().map(UploadProgress::bar), retry)
            }
            _ => {}
        })
    };
    let client = connection.client.observe(observer);
    let creating = client.create(request);
    tokio::pin!(creating);
    let timeout = connection.timeout.as_secs();
    let slow =
        crate::notices::SlowNotice::start("the create answer", &connection.base_url, timeout);
    let signal = tokio::select! {
        created = &mut creating => {
            drop(slow);
            if let Some(uploads) = uploads {
                uploads.finish();
            }
            return Ok(created?);
        }
        signal = signals.next() => signal,
    };
    drop(slow);
    if let Some(uploads) = &uploads {
        uploads.clone().finish();
    }
    let stopped = |message: String| CliError::Interrupted {
        message,
        json: None,
    };
    if connection.sandbox.is_some() {
        return Err(stopped(format!("{signal}: stopped; the embedded sandbox stops with this command (no credits were spent)")));
    }
    if stored.load(Ordering::SeqCst) < local_files {
        return Err(stopped(format!(
            "{signal}: stopped while uploading the input images; no task was created"
        )));
    }
    note!(
        "{signal}: the create request is on its way to {}; waiting up to {timeout} s for its answer so the task is not lost. Ctrl-C again abandons it (the task may then exist and be billed).",
        connection.base_url
    );
    Err(tokio::select! {
        created = &mut creating => match created {
            Ok(created) => {
                let resume = resume_command(&created.id, args);
                CliError::Interrupted {
                    message: format!("task {} created and keeps running (billed). Get its image with: {resume}", created.id),
                    json: Some(interrupted_json(&created.id, &resume)),
                }
            }
            Err(e) => stopped(format!("the create failed, so no task runs: {}", crate::exit::in_cli_words(&e, timeout))),
        },
        signal = signals.next() => stopped(format!(
            "{signal} again: abandoned the create request; a task may exist and be billed without its id here. Run the same command with --idempotency-key {key} to get it, if it exists, without paying twice"
        )),
    })
}
