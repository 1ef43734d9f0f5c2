//! The commands: `generate`, `task get`, `task wait`, `sandbox`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nanobanana_api::{types, Error, ImageInput, TaskHandle};
use nanobanana_sandbox::{Sandbox, SandboxConfig};

use crate::args::{GenerateArgs, SandboxArgs, TaskCommand};
use crate::connection::{connect, Hosts};
use crate::progress::{TaskProgress, UploadProgress};

/// `nanobanana generate`: validate, create, wait with a progress bar, download, print paths.
pub async fn generate(args: GenerateArgs, hosts: Hosts<'_>, retries: usize) -> Result<(), Error> {
    let mut request = types::ImageGenerationRequest::builder()
        .model(args.model)
        .prompt(args.prompt.clone());
    if let Some(size) = args.size {
        request = request.size(size);
    }
    if let Some(quality) = args.quality {
        request = request.quality(quality);
    }
    // Checked now with the URLs only; local files are checked and uploaded after connecting.
    let urls: Vec<String> = args
        .images
        .iter()
        .filter_map(|image| match image {
            ImageInput::Url(url) => Some(url.clone()),
            ImageInput::File(_) => None,
        })
        .collect();
    let local_files = args.images.len() - urls.len();
    if !urls.is_empty() {
        request = request.image_urls(urls);
    }
    if let Some(url) = &args.callback_url {
        request = request.callback_url(Some(
            url.parse::<types::ImageGenerationRequestCallbackUrl>()
                .map_err(|e| {
                    Error::Validation(nanobanana_api::ValidationError {
                        field: "callback_url".into(),
                        problem: e.to_string(),
                        limit: "at most 2048 characters".into(),
                    })
                })?,
        ));
    }
    let request: types::ImageGenerationRequest =
        request
            .try_into()
            .map_err(|e: types::error::ConversionError| {
                Error::Validation(nanobanana_api::ValidationError {
                    field: "request".into(),
                    problem: e.to_string(),
                    limit: "the API's limits".into(),
                })
            })?;
    // Check everything before spending credits, including the output file.
    nanobanana_api::Validate::validate(&request)?;
    if let Some(output) = &args.output {
        if output.exists() && !args.force {
            return Err(exists(output));
        }
    }

    if args.images.len() > nanobanana_api::validation::MAX_IMAGE_URLS {
        return Err(Error::Validation(nanobanana_api::ValidationError {
            field: "--image".into(),
            problem: format!("was given {} times", args.images.len()),
            limit: format!(
                "at most {} images per request",
                nanobanana_api::validation::MAX_IMAGE_URLS
            ),
        }));
    }

    let connection = connect(hosts, retries, true).await?;
    let client = &connection.client;
    let started = Instant::now();
    let mut request = request;
    if local_files > 0 {
        let progress = UploadProgress::start(local_files);
        let shown = progress.clone();
        let uploaded = client
            .image_urls_with(args.images.clone(), move |event| shown.update(event))
            .await;
        progress.finish();
        request.image_urls = uploaded?;
        nanobanana_api::Validate::validate(&request)?;
    }
    let created = client.create(request).await?;
    let handle = TaskHandle::from(&created);
    let progress = TaskProgress::start(&created.id, handle.estimate);
    let waited = client
        .wait_with_progress(handle, |event| progress.update(event))
        .await;
    let task = match waited {
        Ok(task) => task,
        Err(e) => {
            progress.finish();
            return Err(e);
        }
    };
    progress.step("downloading");
    let dir = match (&args.output, &args.out_dir) {
        (Some(output), _) => output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
        (None, Some(dir)) => dir.clone(),
        (None, None) => PathBuf::from("."),
    };
    let downloaded = client
        .downloader()
        .clone()
        .overwrite(args.force)
        .download(&task, &dir)
        .await;
    progress.finish();
    let mut files = downloaded?;
    if let Some(output) = &args.output {
        files = rename_to_output(files, output, args.force)?;
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
        println!("{}", serde_json::to_string_pretty(&summary).expect("JSON"));
    } else {
        for file in &files {
            println!("{}", file.display());
        }
        eprintln!(
            "task {} completed in {:.1} s",
            task.id,
            started.elapsed().as_secs_f64()
        );
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
            let ext = file
                .extension()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default();
            output.with_file_name(format!("{stem}-{i}.{ext}"))
        };
        if target.exists() && !force {
            return Err(exists(&target));
        }
        std::fs::rename(&file, &target).map_err(|source| Error::Io {
            action: "cannot move the image to",
            path: target.clone(),
            source,
        })?;
        renamed.push(target);
    }
    Ok(renamed)
}

/// `nanobanana task get|wait`.
pub async fn task(command: TaskCommand, hosts: Hosts<'_>, retries: usize) -> Result<(), Error> {
    let connection = connect(hosts, retries, false).await?;
    let client = &connection.client;
    let task = match command {
        TaskCommand::Get { id } => client.get_task(&id).await?,
        TaskCommand::Wait { id, out_dir } => {
            let progress = TaskProgress::start(&id, None);
            let waited = client
                .wait_with_progress(id.as_str(), |event| progress.update(event))
                .await;
            progress.finish();
            let task = waited?;
            if let Some(dir) = out_dir {
                for file in client.download(&task, dir).await? {
                    eprintln!("saved {}", file.display());
                }
            }
            task
        }
    };
    println!("{}", serde_json::to_string_pretty(&task).expect("JSON"));
    Ok(())
}

/// `nanobanana credits`.
pub async fn credits(json: bool, hosts: Hosts<'_>, retries: usize) -> Result<(), Error> {
    let connection = connect(hosts, retries, false).await?;
    let credits = connection.client.credits().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&credits).expect("JSON"));
        return Ok(());
    }
    let show = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_else(|| "?".into());
    if let Some(user) = &credits.data.user {
        println!(
            "account: {} credits remaining, {} used",
            show(user.remaining_credits),
            show(user.used_credits)
        );
    }
    if let Some(token) = &credits.data.token {
        let limit = if token.unlimited_credits == Some(true) {
            " (unlimited)"
        } else {
            ""
        };
        println!(
            "this key: {} credits remaining{limit}, {} used",
            show(token.remaining_credits),
            show(token.used_credits)
        );
    }
    Ok(())
}

/// `nanobanana sandbox`: serve until Ctrl-C.
pub async fn sandbox(args: SandboxArgs) -> Result<(), Error> {
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
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.map_err(|source| Error::Io {
        action: "cannot listen on ports (API, file service)",
        path: format!("{}, {}", args.port, args.files_port).into(),
        source,
    })?;
    eprintln!(
        "sandbox listening on {0} (file service on {1})\n  export EVOLINK_BASE_URL={0} EVOLINK_FILES_BASE_URL={1} EVOLINK_API_KEY=sandbox\nCtrl-C stops it.",
        sandbox.base_url(),
        sandbox.files_base_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("stopping; {:?}", sandbox.stats());
    sandbox.shutdown().await;
    Ok(())
}
