//! The commands: `generate`, `task get`, `task wait`, `sandbox`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nanobanana_api::error::ValidationError;
use nanobanana_api::tasks::{SaveTo, TaskHandle};
use nanobanana_api::{lineup, types, Error, ImageInput, ImageRequest};
use nanobanana_sandbox::{Sandbox, SandboxConfig, SandboxTls};

use crate::args::{ConnectionArgs, GenerateArgs, SandboxArgs, TaskCommand};
use crate::connection::connect;
use crate::output::{self, note};
use crate::progress::{TaskProgress, UploadProgress};

/// `nanobanana generate`: check, create, wait with a progress bar, download, print paths.
pub async fn generate(args: GenerateArgs) -> Result<(), Error> {
    // Everything is checked before credits are spent, including where the image will be saved.
    let key = args
        .idempotency_key
        .clone()
        .unwrap_or_else(nanobanana_api::tasks::new_idempotency_key);
    let request = image_request(&args).idempotency_key(key.clone());
    request.check().await.map_err(in_flag_words)?;
    check_output(&args)?;

    let connection = connect(&args.connection, true).await?;
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
            if e.outcome_unknown() && connection.sandbox.is_none() {
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
                return Err(e);
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
            if connection.sandbox.is_some() {
                note!("{signal}: stopped; the embedded sandbox stops with this command, so task {} is gone (no credits were spent)", created.id);
            } else {
                note!("{signal}: stopped waiting; task {} keeps running and is billed. Get its image with: {resume}", created.id);
            }
            if args.json {
                output::print_json(&serde_json::json!({
                    "task_id": created.id,
                    "status": "interrupted",
                    "resume": resume,
                }))?;
            }
            std::process::exit(crate::exit::INTERRUPTED);
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

/// Uploads the local files and creates the task, answering Ctrl-C at every step: before the
/// create is sent, nothing was created; once it is on its way, the task may be created (and
/// billed), so a first signal waits for the answer to print the id, and a second one abandons it.
async fn create(
    connection: &crate::connection::Connection,
    request: ImageRequest,
    key: &str,
    local_files: usize,
    signals: &mut crate::signals::Signals,
    args: &GenerateArgs,
) -> Result<nanobanana_api::tasks::CreatedTask, Error> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

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
    let slow = crate::notices::SlowNotice::start("the create answer", &connection.base_url);
    let signal = tokio::select! {
        created = &mut creating => {
            drop(slow);
            if let Some(uploads) = uploads {
                uploads.finish();
            }
            return created;
        }
        signal = signals.next() => signal,
    };
    drop(slow);
    if let Some(uploads) = &uploads {
        uploads.clone().finish();
    }
    if connection.sandbox.is_some() {
        note!("{signal}: stopped; the embedded sandbox stops with this command (no credits were spent)");
        std::process::exit(crate::exit::INTERRUPTED);
    }
    if stored.load(Ordering::SeqCst) < local_files {
        note!("{signal}: stopped while uploading the input images; no task was created");
        std::process::exit(crate::exit::INTERRUPTED);
    }
    let timeout = crate::timeout::secs();
    note!(
        "{signal}: the create request is on its way to {}; waiting up to {timeout} s for its answer so the task is not lost. Ctrl-C again abandons it (the task may then exist and be billed).",
        connection.base_url
    );
    tokio::select! {
        created = &mut creating => match created {
            Ok(created) => {
                let resume = resume_command(&created.id, args);
                note!("task {} created and keeps running (billed). Get its image with: {resume}", created.id);
                if args.json {
                    let _ = output::print_json(&serde_json::json!({
                        "task_id": created.id,
                        "status": "interrupted",
                        "resume": resume,
                    }));
                }
            }
            Err(e) => note!("the create failed, so no task runs: {}", crate::exit::in_cli_words(&e)),
        },
        signal = signals.next() => note!(
            "{signal} again: abandoned the create request; a task may exist and be billed without its id here. Run the same command with --idempotency-key {} to get it, if it exists, without paying twice",
            key
        ),
    }
    std::process::exit(crate::exit::INTERRUPTED);
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

/// The command that picks up `task_id` where `generate` left it, saving where it would have.
fn resume_command(task_id: &str, args: &GenerateArgs) -> String {
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

/// Downloads the images of a completed `task` to `-o` or `--out-dir`.
async fn save(
    client: &nanobanana_api::NanoBanana,
    task: &types::TaskDetail,
    args: &GenerateArgs,
) -> Result<Vec<PathBuf>, Error> {
    let dir = match (&args.output, &args.out_dir) {
        (Some(output), _) => output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
        (None, Some(dir)) => dir.clone(),
        (None, None) => PathBuf::from("."),
    };
    let files = client
        .download(task, SaveTo::from(dir).overwrite(args.force))
        .await?;
    match &args.output {
        Some(output) => rename_to_output(files, output, args.force),
        None => Ok(files),
    }
}

/// Refuses an output path the image could not be saved to, before anything is paid for.
fn check_output(args: &GenerateArgs) -> Result<(), Error> {
    if let Some(output) = &args.output {
        if output.is_dir() {
            return Err(Error::Io {
                action: "-o names a directory; give a file name (e.g. cat.png) or use --out-dir",
                path: output.clone(),
                source: std::io::Error::from(std::io::ErrorKind::IsADirectory),
            });
        }
        if output.exists() && !args.force {
            return Err(exists(output));
        }
        // The image is saved as the type the name says (converted when the service sends
        // another): a name of no image type would hold image bytes under a wrong extension.
        let extension = output
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        if !matches!(extension.as_deref(), Some("png" | "jpg" | "jpeg" | "webp")) {
            return Err(Error::Validation(ValidationError {
                field: "-o".into(),
                problem: format!("is `{}`, which is not an image file name", output.display()),
                limit: "a name ending in .png, .jpg, .jpeg or .webp (e.g. cat.png)".into(),
            }));
        }
    }
    if let Some(dir) = &args.out_dir {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::Io {
                action: "--out-dir names a file, not a directory",
                path: dir.clone(),
                source: std::io::Error::from(std::io::ErrorKind::NotADirectory),
            });
        }
    }
    Ok(())
}

fn exists(path: &Path) -> Error {
    Error::Io {
        action: "refusing to overwrite (pass --force)",
        path: path.to_path_buf(),
        source: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
    }
}

/// Renames downloaded files to `output` (then `output-1.ext`, …), keeping each file's type.
fn rename_to_output(
    files: Vec<PathBuf>,
    output: &Path,
    force: bool,
) -> Result<Vec<PathBuf>, Error> {
    let mut renamed = Vec::with_capacity(files.len());
    for (i, file) in files.into_iter().enumerate() {
        let target = if i == 0 {
            output.to_path_buf()
        } else {
            let stem = output
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            // Further images take the extension `output` asks for, or their own.
            let ext = output
                .extension()
                .or_else(|| file.extension())
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default();
            output.with_file_name(format!("{stem}-{i}.{ext}"))
        };
        if target.exists() && !force {
            return Err(exists(&target));
        }
        match nanobanana_api::convert::save_as(&file, &target) {
            Ok(Some(from)) => note!(
                "the service returned a {from}: converted to the type {} asks for",
                target.display()
            ),
            Ok(None) => {}
            Err(e) => {
                note!("the image is saved as {}", file.display());
                return Err(e);
            }
        }
        renamed.push(target);
    }
    Ok(renamed)
}

/// `nanobanana task get|wait|list`.
pub async fn task(command: TaskCommand) -> Result<(), Error> {
    let settings = match command {
        TaskCommand::Get { ref connection, .. } | TaskCommand::Wait { ref connection, .. } => {
            connection.clone()
        }
        TaskCommand::List {
            status,
            model,
            since,
            limit,
            json,
            connection,
        } => {
            let filters = TaskFilters {
                status,
                model,
                since: since.map(Into::into),
                limit,
            };
            return task_list(filters, json, &connection).await;
        }
    };
    let connection = connect(&settings, false).await?;
    let client = &connection.client;
    let task = match command {
        TaskCommand::Get { id, .. } => {
            let client = client.observe(crate::notices::retries_only());
            connection
                .query("the task", &connection.base_url, client.get_task(&id))
                .await?
        }
        TaskCommand::List { .. } => unreachable!("answered above"),
        TaskCommand::Wait {
            id,
            output,
            out_dir,
            force,
            ..
        } => {
            if let Some(output) = &output {
                if output.exists() && !force {
                    return Err(exists(output));
                }
            }
            // A signal while waiting says how to pick the task up again.
            let mut signals = crate::signals::listen();
            let finished = async {
                let progress = TaskProgress::start(&id, None);
                let waited = client.observe(progress.observer()).wait(id.as_str()).await;
                progress.finish();
                let task = waited?;
                let dir = match (&output, &out_dir) {
                    (Some(output), _) => Some(
                        output
                            .parent()
                            .filter(|p| !p.as_os_str().is_empty())
                            .map(Path::to_path_buf)
                            .unwrap_or_else(|| PathBuf::from(".")),
                    ),
                    (None, dir) => dir.clone(),
                };
                if let Some(dir) = dir {
                    let mut files = client
                        .download(&task, SaveTo::from(dir).overwrite(force))
                        .await?;
                    if let Some(output) = &output {
                        files = rename_to_output(files, output, force)?;
                    }
                    for file in files {
                        note!("saved {}", file.display());
                    }
                }
                Ok::<_, Error>(task)
            };
            tokio::select! {
                task = finished => task?,
                signal = signals.next() => {
                    note!("{signal}: stopped waiting; task {id} keeps running. Run the same command again to pick it up.");
                    std::process::exit(crate::exit::INTERRUPTED);
                }
            }
        }
    };
    output::print_json(&task)
}

/// What `nanobanana task list` shows.
struct TaskFilters {
    status: Option<String>,
    model: Option<nanobanana_api::types::ImageModel>,
    since: Option<std::time::Duration>,
    limit: u64,
}

/// A value of the API's open string enums (`TaskStatus`, `ImageModel`) from its wire name.
fn wire_value<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value.to_string())).ok()
}

/// `nanobanana task list`: the key's tasks, newest first, as a table or JSON.
async fn task_list(
    filters: TaskFilters,
    json: bool,
    settings: &ConnectionArgs,
) -> Result<(), Error> {
    use nanobanana_api::tasks::{ListTasks, MAX_TASK_PAGE_SIZE};
    use nanobanana_api::types::TaskStatus;
    let mut options = ListTasks::default().page_size(filters.limit.min(MAX_TASK_PAGE_SIZE));
    if let Some(status) = filters.status.as_deref().and_then(wire_value::<TaskStatus>) {
        options = options.status(status);
    }
    if let Some(model) = filters.model {
        options = options.model(model);
    }
    if let Some(since) = filters.since {
        options = options.since(std::time::SystemTime::now() - since);
    }
    let connection = connect(settings, false).await?;
    let client = connection.client.observe(crate::notices::retries_only());
    let mut tasks = Vec::new();
    let mut total = None;
    let mut next = Some(options);
    while let Some(options) = next.take() {
        let page = connection
            .query(
                "the list of tasks",
                &connection.base_url,
                client.tasks().list(options),
            )
            .await?;
        total = total.or(page.total);
        tasks.extend(page.tasks.iter().cloned());
        if (tasks.len() as u64) < filters.limit {
            next = page.next_page();
        }
    }
    tasks.truncate(filters.limit as usize);
    if json {
        return output::print_json(&serde_json::json!({"total": total, "tasks": tasks}));
    }
    output::print(&task_table(&tasks, filters.limit))
}

/// The tasks as a table (id, status, model, created, credits) and what to do next.
fn task_table(tasks: &[nanobanana_api::types::TaskSummary], limit: u64) -> String {
    if tasks.is_empty() {
        return "No tasks match: `nanobanana generate \"a prompt\"` creates one; widen --since or drop a filter.\n"
            .to_string();
    }
    let created = |t: &nanobanana_api::types::TaskSummary| {
        t.created_at
            .and_then(|s| u64::try_from(s).ok())
            .map(|s| {
                humantime::format_rfc3339_seconds(
                    std::time::UNIX_EPOCH + std::time::Duration::from_secs(s),
                )
                .to_string()
            })
            .unwrap_or_else(|| "-".into())
    };
    let rows: Vec<[String; 5]> = tasks
        .iter()
        .map(|t| {
            [
                t.id.clone(),
                t.status.to_string(),
                t.model.clone().unwrap_or_else(|| "-".into()),
                created(t),
                t.credits_used
                    .map(|c| format!("{c}"))
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let header = ["ID", "STATUS", "MODEL", "CREATED", "CREDITS"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.push_str(&format!("{} task(s)", tasks.len()));
    if tasks.len() as u64 >= limit {
        out.push_str(&format!(" (the newest {limit}: --limit shows more)"));
    }
    out.push_str(". Details and result links: nanobanana task get ID\n");
    out
}

/// `nanobanana credits`.
pub async fn credits(json: bool, settings: &ConnectionArgs) -> Result<(), Error> {
    let connection = connect(settings, false).await?;
    let client = connection.client.observe(crate::notices::retries_only());
    let credits = connection
        .query("the credit balance", &connection.base_url, client.credits())
        .await?;
    if json {
        return output::print_json(&credits);
    }
    let mut out = String::new();
    let show = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_else(|| "?".into());
    if let Some(user) = &credits.data.user {
        out.push_str(&format!(
            "account: {} credits remaining, {} used\n",
            show(user.remaining_credits),
            show(user.used_credits)
        ));
    }
    if let Some(token) = &credits.data.token {
        let limit = if token.unlimited_credits == Some(true) {
            " (unlimited)"
        } else {
            ""
        };
        out.push_str(&format!(
            "this key: {} credits remaining{limit}, {} used\n",
            show(token.remaining_credits),
            show(token.used_credits)
        ));
    }
    output::print(&out)
}

/// `nanobanana files quota`.
pub async fn files_quota(json: bool, settings: &ConnectionArgs) -> Result<(), Error> {
    let connection = connect(settings, false).await?;
    let client = connection.client.observe(crate::notices::retries_only());
    let quota = connection
        .query(
            "the file quota",
            &connection.files_base_url,
            client.files().quota(),
        )
        .await?;
    if json {
        return output::print_json(&quota);
    }
    let show = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "?".into());
    let group = quota
        .user_group
        .as_ref()
        .map(|g| g.to_string())
        .unwrap_or_else(|| "?".into());
    let mut out = format!(
        "files: {} stored of at most {}, {} more uploads possible
group: {group}",
        show(quota.used_files),
        show(quota.max_files),
        show(quota.remain_files),
    );
    match (quota.is_custom, quota.quota_reason.as_deref()) {
        (Some(true), Some(reason)) if !reason.is_empty() => {
            out.push_str(&format!(" (a quota of its own: {reason})"));
        }
        (Some(true), _) => out.push_str(" (a quota of its own)"),
        _ => {}
    }
    out.push_str(
        "
Uploaded files count until they expire, 72 h after upload, or are deleted (nanobanana files delete ID).
",
    );
    output::print(&out)
}

/// `nanobanana files list`: one page of the stored files, newest first, as a table.
pub async fn files_list(
    page: u64,
    page_size: u64,
    json: bool,
    settings: &ConnectionArgs,
) -> Result<(), Error> {
    use nanobanana_api::files::ListFiles;
    let connection = connect(settings, false).await?;
    let client = connection.client.observe(crate::notices::retries_only());
    let files = client.files();
    let listed = connection
        .query(
            "the list of stored files",
            &connection.files_base_url,
            files.list(ListFiles::default().page(page).page_size(page_size)),
        )
        .await?;
    if json {
        return output::print_json(&serde_json::json!({
            "total": listed.total,
            "page": listed.page,
            "page_size": listed.page_size,
            "files": listed.files,
        }));
    }
    output::print(&file_table(&listed))
}

/// The files of `listed` as a table (id, name, size, uploaded, expires), with a line on the
/// page and what to do next.
fn file_table(listed: &nanobanana_api::files::FilePage) -> String {
    let total = listed.total.map(|t| format!(" of {t}")).unwrap_or_default();
    if listed.files.is_empty() {
        return match listed.page {
            1 => "No stored files: `nanobanana generate --image ./photo.png …` uploads a local image.\n"
                .to_string(),
            n => format!(
                "No files on page {n}{}: try a lower --page.\n",
                listed
                    .total
                    .map(|t| format!(" ({t} stored in all)"))
                    .unwrap_or_default()
            ),
        };
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let rows: Vec<[String; 5]> = listed
        .files
        .iter()
        .map(|f| {
            [
                f.file_id.clone(),
                text(&f.file_name),
                f.file_size.map(human_size).unwrap_or_else(|| "-".into()),
                text(&f.upload_time),
                text(&f.expires_at),
            ]
        })
        .collect();
    let header = ["ID", "NAME", "SIZE", "UPLOADED", "EXPIRES"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    let first = (listed.page - 1) * listed.page_size + 1;
    let last = first + listed.files.len() as u64 - 1;
    out.push_str(&format!(
        "files {first}-{last}{total} (page {}).",
        listed.page
    ));
    if let Some(next) = listed.next_page().map(|_| listed.page + 1) {
        out.push_str(&format!(" Next page: --page {next}."));
    }
    out.push_str(" Delete one with: nanobanana files delete ID\n");
    out
}

/// `bytes` for people: 512 B, 12.5 KB, 3.2 MB.
fn human_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}

/// `nanobanana files delete ID`.
pub async fn files_delete(file_id: &str, settings: &ConnectionArgs) -> Result<(), Error> {
    let connection = connect(settings, false).await?;
    let client = connection.client.observe(crate::notices::retries_only());
    let files = client.files();
    connection
        .query(
            &format!("the deletion of {file_id}"),
            &connection.files_base_url,
            files.delete(file_id),
        )
        .await?;
    output::print(&format!(
        "deleted {file_id} from {}: its link no longer works and it no longer counts against the file quota.\n",
        connection.files_base_url
    ))
}

/// `nanobanana models`: the known models and their limits, from the generated table.
pub fn models(json: bool) -> Result<(), Error> {
    let join = |values: Vec<String>| {
        if values.is_empty() {
            "-".to_string()
        } else {
            values.join(" ")
        }
    };
    if json {
        let table: Vec<serde_json::Value> = lineup::MODELS
            .iter()
            .map(|m| {
                serde_json::json!({
                    "model": m.model,
                    "summary": m.summary,
                    "sizes": m.sizes,
                    "qualities": m.qualities,
                    "default_quality": m.default_quality,
                    "max_images": m.max_images,
                    "max_image_mb": m.max_image_mb,
                    "max_real_persons": m.max_real_persons,
                    "prompt_max_chars": m.prompt_max_chars,
                    "model_params": m.model_params,
                    "page": m.page,
                    "source": m.source,
                    "listed_upstream": m.listed_upstream,
                })
            })
            .collect();
        return crate::output::print_json(&table);
    }
    let mut out = String::new();
    for m in lineup::MODELS {
        let default = if m.model.as_str() == crate::args::DEFAULT_MODEL {
            " (default)"
        } else {
            ""
        };
        out.push_str(&format!(
            "{}{default}\n  {}\n  sizes: {}\n  qualities: {}{}\n  images: at most {} of {} MB{}; prompt: at most {} characters\n  model_params: {}\n  source: {}\n",
            m.model,
            m.summary,
            join(m.sizes.iter().map(ToString::to_string).collect()),
            join(m.qualities.iter().map(ToString::to_string).collect()),
            m.default_quality
                .map(|q| format!(" (default {q})"))
                .unwrap_or_default(),
            m.max_images,
            m.max_image_mb,
            m.max_real_persons
                .map(|n| format!(", {n} of real people"))
                .unwrap_or_default(),
            m.prompt_max_chars,
            model_param_flags(m.model_params),
            m.page,
        ));
        if !m.listed_upstream {
            out.push_str(
                "  not in Evolink's model index: still sent as is, its limits are those of the page that last listed it\n",
            );
        }
    }
    out.push_str(
        "Any other name is sent as is, checked only against the limits all models share.\n",
    );
    crate::output::print(&out)
}

/// The flags for the `model_params` fields a model takes (`none` when it takes none).
fn model_param_flags(fields: &[nanobanana_api::types::ModelParamName]) -> String {
    use nanobanana_api::types::ModelParamName as F;
    if fields.is_empty() {
        return "none".into();
    }
    fields
        .iter()
        .map(|f| match f {
            F::ThinkingLevel => "--thinking auto|min|high",
            F::WebSearch => "--web-search",
            F::ImageSearch => "--image-search",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One request as the sandbox's log line: method, path, status, duration, and what was refused;
/// or a callback it sent: to where, and what came of it.
fn request_line(entry: &nanobanana_sandbox::JournalEntry) -> String {
    if entry.operation.as_deref() == Some(nanobanana_sandbox::journal::CALLBACK_OPERATION) {
        let task = entry.task_id.as_deref().unwrap_or_default();
        let message = entry.message.as_deref().unwrap_or_default();
        return format!(
            "callback of {task} to {} {}: {message} ({} ms)",
            entry.method, entry.path, entry.duration_ms
        );
    }
    let mut line = format!(
        "{} {} {} {} ms",
        entry.method, entry.path, entry.status, entry.duration_ms
    );
    if let Some(task) = &entry.task_id {
        if !entry.path.ends_with(task.as_str()) {
            line.push_str(&format!(" {task}"));
        }
    }
    if let Some(fault) = &entry.fault {
        line.push_str(&format!(" (fault {fault})"));
    }
    if entry.status >= 400 {
        if let Some(param) = &entry.param {
            line.push_str(&format!(" refused `{param}`"));
        }
        if let Some(message) = &entry.message {
            line.push_str(&format!(": {message}"));
        }
    }
    line
}

/// Writes the sandbox's throwaway CA to a file that lives until the sandbox stops.
fn write_ca(pem: &str) -> Result<tempfile::NamedTempFile, Error> {
    let io = |source| Error::Io {
        action: "cannot write the sandbox's CA certificate",
        path: std::env::temp_dir(),
        source,
    };
    let mut file = tempfile::Builder::new()
        .prefix("nanobanana-sandbox-ca-")
        .suffix(".pem")
        .tempfile()
        .map_err(io)?;
    std::io::Write::write_all(&mut file, pem.as_bytes()).map_err(io)?;
    Ok(file)
}

/// How long a stopping sandbox waits for the last attempts of pending callbacks (one callback
/// timeout).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// `nanobanana sandbox`: serve until Ctrl-C or SIGTERM, then stop gracefully.
pub async fn sandbox(args: SandboxArgs) -> Result<(), Error> {
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(SandboxTls::from_pem_files(cert, key).map_err(
            |reason| Error::Io {
                action: "cannot serve HTTPS (--tls-cert, --tls-key) with",
                path: cert.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, reason),
            },
        )?),
        _ if args.tls => Some(SandboxTls::self_signed().map_err(|reason| Error::Io {
            action: "cannot serve HTTPS (--tls) on",
            path: "127.0.0.1".into(),
            source: std::io::Error::new(std::io::ErrorKind::Unsupported, reason),
        })?),
        _ => None,
    };
    // The throwaway CA goes to a file clients can point EVOLINK_CA_CERT at, removed on stop.
    let ca_file = match tls.as_ref().and_then(SandboxTls::ca_pem) {
        Some(pem) => Some(write_ca(pem)?),
        None => None,
    };
    // The key to export: the one this sandbox accepts, or any when it takes every key.
    let key = args.api_key.clone().unwrap_or_else(|| "sandbox".into());
    let config = SandboxConfig {
        addr: ([127, 0, 0, 1], args.port).into(),
        api_key: args.api_key,
        time_scale: args.time_scale,
        rate_limit_per_sec: args.rate_limit,
        allow_insecure_callbacks: args.allow_insecure_callbacks,
        link_ttl: Duration::from_secs(args.link_ttl),
        files_addr: ([127, 0, 0, 1], args.files_port).into(),
        upload_quota: args.upload_quota,
        fetch_remote_files: args.fetch_remote_files,
        result_format: args.result_format,
        max_tasks: args.max_tasks,
        max_uploads: args.max_uploads,
        upload_disk_limit: args.upload_disk_limit * 1024 * 1024,
        tls,
        ..SandboxConfig::default()
    };
    let (port, files_port) = (args.port, args.files_port);
    let sandbox = Sandbox::start(config).await.map_err(|source| {
        // Name the address that is taken and the flag that moves it.
        let taken =
            |port: u16| port != 0 && std::net::TcpListener::bind(("127.0.0.1", port)).is_err();
        let place = if taken(files_port) && !taken(port) {
            format!("127.0.0.1:{files_port} (the file service; choose another with --files-port)")
        } else if taken(port) && !taken(files_port) {
            format!("127.0.0.1:{port} (the API; choose another with --port)")
        } else {
            format!("127.0.0.1:{port} (--port) or 127.0.0.1:{files_port} (--files-port)")
        };
        Error::Io {
            action: "cannot listen on",
            path: place.into(),
            source,
        }
    })?;
    let trust = ca_file
        .as_ref()
        .map(|ca| format!(" EVOLINK_CA_CERT={}", ca.path().display()))
        .unwrap_or_default();
    note!(
        "sandbox listening on {0} (file service on {1})\n  export EVOLINK_BASE_URL={0} EVOLINK_FILES_BASE_URL={1} EVOLINK_API_KEY={key}{trust}\nCtrl-C stops it.",
        sandbox.base_url(),
        sandbox.files_base_url()
    );
    if !args.quiet {
        let json = match args.log_format.as_deref() {
            Some(format) => format == "json",
            None => !std::io::IsTerminal::is_terminal(&std::io::stderr()),
        };
        let mut live = sandbox.watch_requests();
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                match live.recv().await {
                    Ok(entry) if json => {
                        if let Ok(line) = serde_json::to_string(&entry) {
                            eprintln!("{line}");
                        }
                    }
                    Ok(entry) => eprintln!("{}", output::printable(&request_line(&entry))),
                    Err(RecvError::Lagged(missed)) => {
                        eprintln!("({missed} requests not printed: too many at once)")
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        });
    }
    let signal = crate::signals::listen().next().await;
    note!("{signal}: stopping: open requests finish, callbacks of ended tasks get one last attempt (up to {} s)", SHUTDOWN_GRACE.as_secs());
    let stats = sandbox.shutdown_within(SHUTDOWN_GRACE).await;
    note!(
        "stopped after {} tasks, {} task queries, {} downloads, {} uploads; callbacks: {} delivered, {} given up, {} dropped (their task had not ended), {} still pending; uploads removed from disk",
        stats.creates,
        stats.task_queries,
        stats.file_downloads,
        stats.uploads,
        stats.callbacks_delivered,
        stats.callbacks_failed,
        stats.callbacks_dropped,
        stats.callbacks_pending,
    );
    Ok(())
}
