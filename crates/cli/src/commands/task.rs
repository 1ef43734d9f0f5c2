//! `nanobanana task get|wait|list`: one task as JSON, waited for and saved, or the key's tasks
//! as a table.

use std::path::{Path, PathBuf};

use nanobanana_api::tasks::SaveTo;

use super::save::rename_to_output;
use crate::args::TaskCommand;
use crate::connection::connect;
use crate::error::CliError;
use crate::output::{self, note};
use crate::progress::TaskProgress;
use crate::settings::Settings;

/// `nanobanana task get|wait|list`.
pub async fn task(command: TaskCommand, settings: &Settings) -> Result<(), CliError> {
    if let TaskCommand::List {
        status,
        model,
        since,
        limit,
        ..
    } = command
    {
        let filters = TaskFilters {
            status,
            model,
            since: since.map(Into::into),
            limit,
        };
        return task_list(filters, settings).await;
    }
    let connection = connect(settings, false).await?;
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
                    return Err(CliError::Exists(output.clone()));
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
                Ok::<_, CliError>(task)
            };
            tokio::select! {
                task = finished => task?,
                signal = signals.next() => {
                    return Err(CliError::Interrupted {
                        message: format!("{signal}: stopped waiting; task {id} keeps running. Run the same command again to pick it up."),
                        json: None,
                    });
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
async fn task_list(filters: TaskFilters, settings: &Settings) -> Result<(), CliError> {
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
    if settings.json {
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
    let header = ["ID", "STATUS", "MODEL", "CREATED", "CREDITS"];
    let mut out = super::table::table(header, &rows);
    out.push_str(&format!("{} task(s)", tasks.len()));
    if tasks.len() as u64 >= limit {
        out.push_str(&format!(" (the newest {limit}: --limit shows more)"));
    }
    out.push_str(". Details and result links: nanobanana task get ID\n");
    out
}
