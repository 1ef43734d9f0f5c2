//! `generate_image`: the request checked before anything is paid, one idempotency key per
//! image, the task created, waited for with progress, saved, previewed; and the wait shared
//! with `wait_task`, which a cancel stops without touching the task.

use std::path::{Path, PathBuf};
use std::time::Instant;

use nanobanana_api::tasks::{SaveTo, TaskHandle};
use nanobanana_api::types;
use nanobanana_api::{Error, ImageRequest};
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::service::RequestContext;
use rmcp::RoleServer;
use serde_json::json;

use super::answer::{self, refused};
use super::progress::Reporter;
use super::request::{check_target, image_request, rename};
use super::schema::GenerateImageArgs;
use super::server::State;
use super::session::{Created, KeyLookup};

/// How a wait ended when it did not give a completed task.
pub enum Stopped {
    /// The call was cancelled: the task keeps running.
    Cancelled {
        /// The task left running.
        task_id: String,
    },
    /// The SDK's failure (the task failed, the service answered an error, …).
    Failed(Error),
}

impl From<Error> for Stopped {
    fn from(error: Error) -> Self {
        Stopped::Failed(error)
    }
}

/// `generate_image`.
pub async fn generate_image(
    state: &State,
    args: GenerateImageArgs,
    context: RequestContext<RoleServer>,
) -> CallToolResult {
    let started = Instant::now();
    let reporter = Reporter::start(&context);
    let ct = context.ct.clone();
    // Everything is checked before anything is sent: the request against its model's limits,
    // then where the image will be saved.
    let request = match image_request(&args) {
        Ok(request) => request,
        Err(e) => return answer::failure(&state.mode, &e),
    };
    if let Err(e) = request.check().await {
        return answer::failure(&state.mode, &e);
    }
    let dir = state.output_dir_for(args.output_dir.as_deref());
    let key = args
        .idempotency_key
        .clone()
        .unwrap_or_else(nanobanana_api::tasks::new_idempotency_key);
    if key.trim().is_empty() || key.len() > 255 {
        return answer::failure(
            &state.mode,
            &refused(
                "idempotency_key",
                "is empty or longer than 255 characters",
                "1 to 255 characters, or leave it out for a new key",
            ),
        );
    }
    let slot = match state.session.key(&key, &request) {
        KeyLookup::Slot(slot) => slot,
        KeyLookup::Conflict => {
            return answer::failure(
                &state.mode,
                &refused(
                    "idempotency_key",
                    format!("`{key}` was used for another request (another prompt, model or option)"),
                    "a new key for a new image; the same key only to repeat the same request (which gets the original task back)",
                ),
            )
        }
    };
    // A repeat of a key gets the original files: only a new image needs a free name.
    if slot.task.get().is_none() {
        if let Err(e) = check_target(&dir, args.file_name.as_deref()) {
            return answer::failure(&state.mode, &e);
        }
    }
    if ct.is_cancelled() {
        return answer::failure(
            &state.mode,
            &refused(
                "request",
                "was cancelled before it was sent",
                "nothing was created",
            ),
        );
    }

    let mut replayed = true;
    let created = slot
        .task
        .get_or_try_init(|| {
            replayed = false;
            // The key goes to the API too (`Idempotency-Key`): a repeat after this server
            // restarted, or a resend of a create whose answer was lost, gets the original task.
            create(
                state,
                request.clone().idempotency_key(key.clone()),
                &args.prompt,
                &reporter,
            )
        })
        .await;
    let created = match created {
        Ok(created) => created.clone(),
        Err(e) => return answer::failure(&state.mode, &e),
    };
    reporter.say(
        Some(1.0),
        format!(
            "task {} {} (model {}); waiting for it. If this call is cancelled or times out, the \
             task keeps running: call wait_task with task_id \"{}\" instead of generating again",
            created.task_id,
            if replayed {
                "found again by its idempotency_key"
            } else {
                "created"
            },
            created.model,
            created.task_id
        ),
    );
    // One call per key saves at a time: a repeat made while the first still waits gets the
    // first one's files instead of downloading them again beside them.
    let mut saved = tokio::select! {
        saved = slot.files.lock() => saved,
        () = ct.cancelled() => {
            reporter.stopped_waiting(&created.task_id);
            return cancelled(state, &created.task_id);
        }
    };
    // Files saved by an earlier call with this key, still there: the same answer again.
    let (files, status) = if !saved.is_empty() && saved.iter().all(|f| f.exists()) {
        (saved.clone(), "completed".to_string())
    } else {
        let handle = TaskHandle::from(created.task_id.as_str());
        let waited = wait_and_save(
            state,
            handle,
            &dir,
            args.file_name.as_deref(),
            &reporter,
            ct.cancelled(),
        );
        match waited.await {
            Ok((task, files)) => {
                *saved = files.clone();
                (files, task.status.to_string())
            }
            Err(Stopped::Cancelled { task_id }) => return cancelled(state, &task_id),
            Err(Stopped::Failed(e)) => return answer::failure(&state.mode, &e),
        }
    };
    drop(saved);
    let size = args.size.clone();
    // The quality the service uses when none is sent: the model's own default.
    let quality = args.quality.clone().or_else(|| {
        let model = types::ImageModel::from(created.model.as_str());
        nanobanana_api::lineup::checked_limits(&model)
            .effective_quality(None)
            .map(|q| q.to_string())
    });
    let facts = json!({
        "task_id": created.task_id,
        "status": status,
        "model": created.model,
        "size": size,
        "quality": quality,
        "files": files,
        "credits_reserved": created.credits_reserved,
        "idempotency_key": key,
        "replayed": replayed,
        "seconds": started.elapsed().as_secs_f64(),
    });
    let summary = format!(
        "Saved {} (task {}, model {}, size {}, quality {}{}){}",
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        created.task_id,
        created.model,
        size.as_deref().unwrap_or("auto (default)"),
        quality
            .as_deref()
            .unwrap_or("none (the model takes no quality)"),
        created
            .credits_reserved
            .map(|c| format!(", {c} credits reserved"))
            .unwrap_or_default(),
        if replayed {
            ". This is the task of an earlier call with the same idempotency_key: nothing was paid again."
        } else {
            ""
        },
    );
    answer::success(&state.mode, &summary, facts, previews(&files))
}

/// Creates the task (uploading local images first) and records it.
async fn create(
    state: &State,
    request: ImageRequest,
    prompt: &str,
    reporter: &Reporter,
) -> Result<Created, Error> {
    let client = state.client().observe(reporter.observer());
    let prompt: String = prompt.chars().take(200).collect();
    let created = client.create(request).await?;
    let record = Created {
        task_id: created.id.clone(),
        model: created
            .model
            .clone()
            .unwrap_or_else(|| "the requested model".into()),
        prompt,
        credits_reserved: created.usage.as_ref().and_then(|u| u.credits_reserved),
    };
    state.session.created(record.clone());
    Ok(record)
}

/// Waits for `task` with progress, then saves its images in `dir` (as `file_name`, when
/// given). `cancelled` (the call's cancellation) stops the wait and leaves the task running.
pub async fn wait_and_save(
    state: &State,
    task: TaskHandle,
    dir: &Path,
    file_name: Option<&str>,
    reporter: &Reporter,
    cancelled: impl std::future::Future<Output = ()>,
) -> Result<(types::TaskDetail, Vec<PathBuf>), Stopped> {
    let task_id = task.id.clone();
    let client = state.client().observe(reporter.observer());
    let waited = tokio::select! {
        waited = client.wait(task) => waited?,
        () = cancelled => {
            reporter.stopped_waiting(&task_id);
            return Err(Stopped::Cancelled { task_id });
        }
    };
    reporter.say(
        Some(99.0),
        format!("task {task_id} completed; saving its images"),
    );
    let files = client
        .download(&waited, SaveTo::from(dir.to_path_buf()))
        .await?;
    let files = match file_name {
        Some(name) => rename(files, &dir.join(name))?,
        None => files,
    };
    Ok((waited, files))
}

/// The answer to a cancelled call (clients drop it; the notifications carried the task id).
pub fn cancelled(state: &State, task_id: &str) -> CallToolResult {
    answer::failure(
        &state.mode,
        &refused(
            "task_id",
            format!("`{task_id}`: the wait was cancelled; the task was not and keeps running"),
            format!("call wait_task with task_id \"{task_id}\" to save its images"),
        ),
    )
}

/// A preview of the first image, as image content (none when it cannot be read).
pub fn previews(files: &[PathBuf]) -> Vec<ContentBlock> {
    match files.first().map(|f| super::preview::of(f)) {
        Some(Ok((data, mime))) => vec![ContentBlock::image(data, mime)],
        Some(Err(why)) => {
            tracing::warn!("{why}");
            vec![]
        }
        None => vec![],
    }
}
