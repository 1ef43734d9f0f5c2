//! `nanobanana generate`: check everything before paying, create (`create.rs`), wait with a
//! progress bar, save (`save.rs`), print the paths.

use std::path::Path;
use std::time::Instant;

use nanobanana_api::tasks::TaskHandle;
use nanobanana_api::{Error, ImageInput, ImageRequest};

use super::create::create;
use super::save::{check_output, save};
use crate::args::GenerateArgs;
use crate::connection::connect;
use crate::error::CliError;
use crate::output::{self, note};
use crate::progress::TaskProgress;
use crate::settings::Settings;

/// `nanobanana generate`: check, create, wait with a progress bar, download, print paths.
pub async fn generate(args: GenerateArgs, settings: &Settings) -> Result<(), CliError> {
    // Everything is checked before credits are spent, including where the image will be saved.
    let key = args
        .idempotency_key
        .clone()
        .unwrap_or_else(nanobanana_api::tasks::new_idempotency_key);
    let request = image_request(&args).idempotency_key(key.clone());
    request.check().await.map_err(in_flag_words)?;
    check_output(&args)?;

    let connection = connect(settings, true).await?;
    let client = &connection.client;
    let started = Instant::now();
    let local_files = args
        .images
        .iter()
        .filter(|i| matches!(i, ImageInput::File(_)))
        .count();
    // Until now a signal stops the command at once (nothing was sent); from here on it is
    // answered: a create on its way must not lose its task.
    let mut signals = crate::signals::listen();
    let created = create(&connection, request, &key, local_files, &mut signals, &args)
        .await
        .inspect_err(|e| {
            if e.api().is_some_and(Error::outcome_unknown) && connection.sandbox.is_none() {
                note!("whether the task was created is unknown: run the same command with --idempotency-key {key} to get it if it exists, without paying twice");
            }
        })?;
    if created.replayed {
        note!(
            "task {} was created by an earlier run with this --idempotency-key: the service answered it again (not billed twice)",
            created.id
        );
    }
    // From here the task is paid for: say its id at once, and how to get it back.
    let resume = resume_command(&created.id, &args);
    if connection.sandbox.is_none() {
        note!(
            "task {} created; if this stops, resume with: {resume}",
            created.id
        );
    }
    let finished = async {
        let handle = TaskHandle::from(&created);
        let progress = TaskProgress::start(&created.id, handle.estimate);
        let waited = client.observe(progress.observer()).wait(handle).await;
        let task = match waited {
            Ok(task) => task,
            Err(e) => {
                progress.finish();
                return Err(CliError::from(e));
            }
        };
        progress.step("downloading");
        let saved = save(client, &task, &args).await;
        progress.finish();
        saved.map(|files| (task, files))
    };
    let (task, files) = tokio::select! {
        outcome = finished => outcome?,
        signal = signals.next() => {
            let message = if connection.sandbox.is_some() {
                format!("{signal}: stopped; the embedded sandbox stops with this command, so task {} is gone (no credits were spent)", created.id)
            } else {
                format!("{signal}: stopped waiting; task {} keeps running and is billed. Get its image with: {resume}", created.id)
            };
            return Err(CliError::Interrupted {
                message,
                json: Some(interrupted_json(&created.id, &resume)),
            });
        }
    };

    // A folder with a contact sheet gets this image on it too.
    if let (Some(dir), None) = (&args.out_dir, &args.output) {
        if let Some(mut sheet) = crate::contact_sheet::ContactSheet::existing(dir) {
            let card = crate::contact_sheet::Card::waiting(
                task.id.clone(),
                &args.prompt,
                args.model.as_str(),
                args.size.as_ref().map(ToString::to_string),
                args.quality.as_ref().map(ToString::to_string),
            )
            .ended(dir, Ok((task.id.as_str(), files.as_slice())));
            sheet.set(card);
            sheet.write()?;
        }
    }
    if args.json {
        let summary = serde_json::json!({
            "task_id": task.id,
            "status": task.status,
            "model": task.model,
            "results": task.results,
            "files": files,
            "seconds": started.elapsed().as_secs_f64(),
            "sandbox": connection.sandbox.is_some(),
        });
        output::print_json(&summary)?;
    } else {
        let listed: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
        output::print(&listed)?;
        note!(
            "task {} completed in {:.1} s",
            task.id,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// The request the flags state.
fn image_request(args: &GenerateArgs) -> ImageRequest {
    let mut request =
        ImageRequest::new(args.model.clone(), args.prompt.clone()).images(args.images.clone());
    if let Some(size) = args.size {
        request = request.size(size);
    }
    if let Some(quality) = args.quality {
        request = request.quality(quality);
    }
    if let Some(params) = args.model_params.clone() {
        request = request.model_params(params);
    }
    if let Some(level) = args.thinking.clone() {
        request = request.thinking(level);
    }
    if args.web_search {
        request = request.web_search(true);
    }
    if args.image_search {
        request = request.image_search(true);
    }
    if let Some(url) = args.callback_url.clone() {
        request = request.callback_url(url);
    }
    request
}

/// The image count is the `--image` flags' count here, not the API's `image_urls`.
fn in_flag_words(error: Error) -> Error {
    match error {
        Error::Validation(mut e) if e.field == "image_urls" => {
            e.field = "--image".into();
            Error::Validation(e)
        }
        other => other,
    }
}

/// What `--json` prints for a task left running by an interrupt: its id and how to resume it.
pub fn interrupted_json(task_id: &str, resume: &str) -> serde_json::Value {
    serde_json::json!({
        "task_id": task_id,
        "status": "interrupted",
        "resume": resume,
    })
}

/// The command that picks up `task_id` where `generate` left it, saving where it would have.
pub fn resume_command(task_id: &str, args: &GenerateArgs) -> String {
    let quote = |p: &Path| {
        let text = p.display().to_string();
        if text.contains(|c: char| c.is_whitespace() || "'\"$`\\".contains(c)) {
            format!("'{}'", text.replace('\'', "'\\''"))
        } else {
            text
        }
    };
    match (&args.output, &args.out_dir) {
        (Some(output), _) => format!("nanobanana task wait {task_id} -o {}", quote(output)),
        (None, Some(dir)) => format!("nanobanana task wait {task_id} --out-dir {}", quote(dir)),
        (None, None) => format!("nanobanana task wait {task_id} --out-dir ."),
    }
}
