//! The tools besides `generate_image`: following a task, listing this server's tasks, the
//! model table, the account's credits and file quota.

use std::time::{Duration, SystemTime};

use nanobanana_api::{lineup, tasks::TaskHandle};
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::RoleServer;
use serde_json::json;

use super::answer::{self, refused};
use super::generate::{cancelled, previews, wait_and_save, Stopped};
use super::progress::Reporter;
use super::schema::{GetTaskArgs, ListTasksArgs, WaitTaskArgs};
use super::server::State;

/// `get_task`: one query.
pub async fn get_task(state: &State, args: GetTaskArgs) -> CallToolResult {
    let connection = &state.connection;
    let task = connection
        .query(
            "the task",
            &connection.base_url,
            state.client().get_task(&args.task_id),
        )
        .await;
    match task {
        Ok(task) => {
            let next = match task.status.to_string().as_str() {
                "completed" => "call wait_task with this task_id to save its images",
                "pending" | "processing" => "call wait_task with this task_id to wait and save its images",
                _ => "it will not produce images; generate again (with a changed request if the error says so)",
            };
            let summary = format!(
                "task {}: {}{}; {next}",
                task.id,
                task.status,
                task.progress.map(|p| format!(" {p}%")).unwrap_or_default()
            );
            let facts = json!({ "task": task, "next": next });
            answer::success(&state.mode, &summary, facts, vec![])
        }
        Err(e) => answer::query_failure(&state.mode, &e),
    }
}

/// `wait_task`: wait with progress and save.
pub async fn wait_task(
    state: &State,
    args: WaitTaskArgs,
    context: RequestContext<RoleServer>,
) -> CallToolResult {
    let reporter = Reporter::start(&context);
    let dir = state.output_dir_for(args.output_dir.as_deref());
    if dir.exists() && !dir.is_dir() {
        let refused = refused(
            "output_dir",
            format!("`{}` is a file, not a folder", dir.display()),
            "a folder (created if needed)",
        );
        return answer::failure(&state.mode, &refused);
    }
    let handle = TaskHandle::from(args.task_id.as_str());
    let saved = wait_and_save(state, handle, &dir, None, &reporter, context.ct.cancelled());
    match saved.await {
        Ok((task, files)) => {
            let summary = format!(
                "Saved {} (task {}, {})",
                files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                task.id,
                task.status
            );
            let facts = json!({
                "task_id": task.id,
                "status": task.status,
                "model": task.model,
                "files": files,
            });
            answer::success(&state.mode, &summary, facts, previews(&files))
        }
        Err(Stopped::Cancelled { task_id }) => cancelled(state, &task_id),
        Err(Stopped::Failed(e)) => answer::failure(&state.mode, &e),
    }
}

/// `list_tasks`: the tasks this server created, with their status now.
pub async fn list_tasks(state: &State, args: ListTasksArgs) -> CallToolResult {
    let limit = args.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        let refused = refused("limit", format!("is {limit}"), "1 to 100");
        return answer::failure(&state.mode, &refused);
    }
    let since = match args.since.as_deref().map(parse_age).transpose() {
        Ok(since) => since,
        Err(e) => return answer::failure(&state.mode, &e),
    };
    let statuses = ["pending", "processing", "completed", "failed", "cancelled"];
    if let Some(status) = &args.status {
        if !statuses.contains(&status.as_str()) {
            let refused = refused(
                "status",
                format!("is `{status}`"),
                format!("one of {}", statuses.join(", ")),
            );
            return answer::failure(&state.mode, &refused);
        }
    }
    let mut options = nanobanana_api::tasks::ListTasks::default().page_size(u64::from(limit));
    if let Some(status) = args
        .status
        .as_deref()
        .and_then(|s| serde_json::from_value(json!(s)).ok())
    {
        options = options.status(status);
    }
    if let Some(since) = since {
        options = options.since(SystemTime::now() - since);
    }
    let page = match state.client().tasks().list(options).await {
        Ok(page) => page,
        Err(e) => return answer::failure(&state.mode, &e),
    };
    // The prompt of a task this server created, when it still remembers it.
    let made_here = state.session.tasks();
    let now = SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let listed: Vec<serde_json::Value> = page
        .tasks
        .iter()
        .map(|task| {
            let prompt = made_here
                .iter()
                .find(|c| c.task_id == task.id)
                .map(|c| c.prompt.clone());
            json!({
                "task_id": task.id,
                "status": task.status.to_string(),
                "model": task.model,
                "prompt": prompt,
                "created_seconds_ago": task.created_at.map(|c| (now - c).max(0)),
                "credits_used": task.credits_used,
            })
        })
        .collect();
    let summary = if listed.is_empty() {
        "No task of this API key matches: widen `since` or drop `status`.".to_string()
    } else {
        listed
            .iter()
            .map(|t| {
                format!(
                    "{} {} ({}), {} s ago",
                    t["task_id"].as_str().unwrap_or_default(),
                    t["status"].as_str().unwrap_or_default(),
                    t["model"].as_str().unwrap_or_default(),
                    t["created_seconds_ago"]
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let facts = json!({
        "tasks": listed,
        "scope": "tasks of this API key, newest first",
    });
    answer::success(&state.mode, &summary, facts, vec![])
}

/// `30m`, `2h`, `1d`, `90s` as a duration.
fn parse_age(text: &str) -> Result<Duration, nanobanana_api::Error> {
    let bad = || {
        refused(
            "since",
            format!("is `{text}`"),
            "a number and a unit: s, m, h or d (e.g. 30m, 2h, 1d)",
        )
    };
    let text = text.trim();
    let unit = text.chars().last().ok_or_else(bad)?;
    let number: u64 = text[..text.len() - unit.len_utf8()]
        .parse()
        .map_err(|_| bad())?;
    let seconds = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err(bad()),
    };
    Ok(Duration::from_secs(number.saturating_mul(seconds)))
}

/// `list_models`: the model table.
pub fn list_models(state: &State) -> CallToolResult {
    let models: Vec<serde_json::Value> = lineup::MODELS
        .iter()
        .map(crate::commands::models::model_facts)
        .collect();
    let summary = lineup::MODELS
        .iter()
        .map(|m| {
            format!(
                "{}: sizes {}; qualities {}{}; up to {} images of {} MB; prompt up to {} characters{}",
                m.model,
                m.sizes.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "),
                if m.qualities.is_empty() {
                    "none (leave quality out)".to_string()
                } else {
                    m.qualities.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
                },
                m.default_quality.map(|q| format!(" (default {q})")).unwrap_or_default(),
                m.max_images,
                m.max_image_mb,
                m.prompt_max_chars,
                super::schema::takes(m.model_params),
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let facts = json!({
        "models": models,
        "other_models": "any other name is sent as is, checked against the limits all models share",
    });
    answer::success(&state.mode, &summary, facts, vec![])
}

/// `credits`.
pub async fn credits(state: &State) -> CallToolResult {
    let connection = &state.connection;
    let answer = connection
        .query(
            "the credit balance",
            &connection.base_url,
            state.client().credits(),
        )
        .await;
    match answer {
        Ok(credits) => {
            let show = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_else(|| "?".into());
            let mut summary = String::new();
            if let Some(user) = &credits.data.user {
                summary.push_str(&format!(
                    "account: {} credits remaining, {} used\n",
                    show(user.remaining_credits),
                    show(user.used_credits)
                ));
            }
            if let Some(token) = &credits.data.token {
                summary.push_str(&format!(
                    "this key: {} credits remaining{}, {} used",
                    show(token.remaining_credits),
                    if token.unlimited_credits == Some(true) {
                        " (unlimited)"
                    } else {
                        ""
                    },
                    show(token.used_credits)
                ));
            }
            answer::success(
                &state.mode,
                summary.trim_end(),
                json!({ "credits": credits.data }),
                vec![],
            )
        }
        Err(e) => answer::query_failure(&state.mode, &e),
    }
}

/// `files_quota`.
pub async fn files_quota(state: &State) -> CallToolResult {
    let connection = &state.connection;
    let answer = connection
        .query(
            "the file quota",
            &connection.files_base_url,
            state.client().files().quota(),
        )
        .await;
    match answer {
        Ok(quota) => {
            let show = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "?".into());
            let summary = format!(
                "files: {} stored of at most {}, {} more uploads possible (uploads count for 72 h)",
                show(quota.used_files),
                show(quota.max_files),
                show(quota.remain_files)
            );
            answer::success(
                &state.mode,
                &summary,
                json!({ "files_quota": quota }),
                vec![],
            )
        }
        Err(e) => answer::query_failure(&state.mode, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_age;
    use std::time::Duration;

    #[test]
    fn ages_read_with_their_unit() {
        assert_eq!(parse_age("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_age("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_age("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_age("1d").unwrap(), Duration::from_secs(86_400));
        for bad in ["", "m", "30", "2w", "-1h", "1.5h"] {
            let error = parse_age(bad).unwrap_err().to_string();
            assert!(
                error.contains("since") && error.contains("30m"),
                "{bad}: {error}"
            );
        }
    }
}
