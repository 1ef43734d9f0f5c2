//! Tool results: the same facts as `structuredContent` and as text, each starting with where the
//! images come from (the sandbox or the API); errors as results with `isError`, in the SDK's
//! words with its advice pointed at this server's tools. The API key is never in an answer (the
//! SDK's messages never hold it).

use nanobanana_api::error::Hint;
use nanobanana_api::error::ValidationError;
use nanobanana_api::Error;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{json, Value};

use super::instructions::Mode;
use crate::error::CliError;

/// A successful answer: `summary` for people and models reading text, `facts` as structured
/// content (the mode is added to both), then `extra` content such as a preview.
pub fn success(
    mode: &Mode,
    summary: &str,
    facts: Value,
    extra: Vec<ContentBlock>,
) -> CallToolResult {
    let facts = with_mode(mode, facts);
    let mut content = vec![
        ContentBlock::text(format!("{}\n\n{summary}", mode.notice())),
        ContentBlock::text(facts.to_string()),
    ];
    content.extend(extra);
    let mut result = CallToolResult::success(content);
    result.structured_content = Some(facts);
    result
}

/// A failure as a tool result with `isError`: the SDK's message in an agent's terms, the kind
/// of failure, the field it is about and the task it concerns.
pub fn failure(mode: &Mode, error: &Error) -> CallToolResult {
    let message = in_agent_words(error);
    let param = match error {
        Error::Validation(refused) => Some(refused.field.clone()),
        _ => error.api_error().and_then(|api| api.param.clone()),
    };
    let task_id = match error {
        Error::TaskFailed { task_id, .. }
        | Error::Deadline { task_id, .. }
        | Error::Download { task_id, .. } => Some(task_id.clone()),
        _ => None,
    };
    let paid = match error {
        Error::Validation(_) | Error::LocalImage(_) | Error::Config(_)
            if message.contains("nothing was sent") =>
        {
            ". Nothing was paid."
        }
        Error::Validation(_) | Error::LocalImage(_) | Error::Config(_) => {
            ". Nothing was sent, nothing was paid."
        }
        _ => "",
    };
    let facts = with_mode(
        mode,
        json!({
            "error": {
                "type": crate::exit::kind(error),
                "message": message,
                "param": param,
                "task_id": task_id,
                "status": error.status(),
            }
        }),
    );
    let mut result = CallToolResult::error(vec![
        ContentBlock::text(format!("error: {message}{paid}\n\n{}", mode.notice())),
        ContentBlock::text(facts.to_string()),
    ]);
    result.structured_content = Some(facts);
    result
}

/// A one-answer query's failure as a tool result: the SDK's, or no answer within the server's
/// `--timeout`.
pub fn query_failure(mode: &Mode, error: &CliError) -> CallToolResult {
    let CliError::Api(error) = error else {
        let message = error.to_string();
        let facts = with_mode(
            mode,
            json!({
                "error": {
                    "type": crate::exit::kind_of(error),
                    "message": message,
                    "param": null,
                    "task_id": null,
                    "status": null,
                }
            }),
        );
        let mut result = CallToolResult::error(vec![
            ContentBlock::text(format!("error: {message}\n\n{}", mode.notice())),
            ContentBlock::text(facts.to_string()),
        ]);
        result.structured_content = Some(facts);
        return result;
    };
    failure(mode, error)
}

/// A refused argument, as the SDK refuses a field: what it is and what is allowed.
pub fn refused(field: &str, problem: impl Into<String>, limit: impl Into<String>) -> Error {
    Error::Validation(ValidationError {
        field: field.into(),
        problem: problem.into(),
        limit: limit.into(),
    })
}

/// `facts` with `sandbox` and `notice` added (an object; anything else is wrapped).
fn with_mode(mode: &Mode, facts: Value) -> Value {
    let mut facts = match facts {
        Value::Object(map) => map,
        other => {
            let mut map = serde_json::Map::new();
            map.insert("answer".into(), other);
            map
        }
    };
    facts.insert("sandbox".into(), json!(mode.is_sandbox()));
    facts.insert("notice".into(), json!(mode.notice()));
    Value::Object(facts)
}

/// The SDK's message, with its advice in this server's terms: where it points a program at its
/// model table or at a method, an agent is pointed at a tool.
pub fn in_agent_words(error: &Error) -> String {
    // generate_image's argument for this field is `thinking`.
    let renamed;
    let error = match error {
        Error::Validation(e) if e.field == "model_params.thinking_level" => {
            renamed = Error::Validation(ValidationError {
                field: "thinking (model_params.thinking_level)".into(),
                ..e.clone()
            });
            &renamed
        }
        _ => error,
    };
    let text = error.message_with(|hint| match hint {
        Hint::ListModels => Some(
            "Check the model name: call list_models for the ones this server knows (any other \
             name is sent as is)."
                .into(),
        ),
        Hint::SendFewerImages => {
            Some("Send fewer or smaller images (call list_models for each model's limits).".into())
        }
        Hint::ResumeWait { task_id } => Some(format!(
            "call wait_task with task_id \"{task_id}\" (within 24 h) instead of submitting again."
        )),
        Hint::Overwrite => {
            Some("give another file_name or output_dir (existing files are never replaced)".into())
        }
        Hint::RaiseRequestTimeout => {
            Some("no answer in time (the server's --timeout sets it)".into())
        }
        _ => crate::exit::environment_words(hint),
    });
    match error {
        // A limit of the model: the table says what it does take.
        Error::Validation(_) if !text.contains("list_models") => {
            format!("{text} (call list_models for each model's limits)")
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_points_at_tools_not_at_rust() {
        let refused = refused(
            "quality",
            "is `4K`, which gemini-3.1-flash-lite-image does not accept",
            "one of 1K",
        );
        let words = in_agent_words(&refused);
        assert!(words.contains("gemini-3.1-flash-lite-image"), "{words}");
        assert!(words.contains("call list_models"), "{words}");
        let gave_up = Error::Deadline {
            task_id: "task-unified-1".into(),
            waited: std::time::Duration::from_secs(5),
            last_status: "processing".into(),
        };
        let words = in_agent_words(&gave_up);
        assert!(
            words.contains("call wait_task with task_id \"task-unified-1\""),
            "{words}"
        );
        assert!(!words.contains("wait(\""), "{words}");
    }

    #[test]
    fn every_answer_says_where_images_come_from() {
        let mode = Mode::Sandbox {
            base_url: "http://127.0.0.1:1".into(),
        };
        let answer = success(&mode, "done", json!({"task_id": "t"}), vec![]);
        let facts = answer.structured_content.unwrap();
        assert_eq!(facts["sandbox"], json!(true));
        assert!(facts["notice"].as_str().unwrap().contains("placeholder"));
        let text = answer.content[0].as_text().unwrap().text.clone();
        assert!(text.starts_with("SANDBOX:"), "{text}");
        let failed = failure(&mode, &refused("size", "is `9:9`", "one of 1:1"));
        assert_eq!(failed.is_error, Some(true));
        assert!(failed.content[0]
            .as_text()
            .unwrap()
            .text
            .contains("SANDBOX:"));
    }
}
