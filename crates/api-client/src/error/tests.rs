//! [`Error`]'s hints: every message gives its hints in order, in words a caller may replace.

use std::time::Duration;

use crate::config::ConfigError;
use crate::error::{ApiError, Hint, Operation};
use crate::types;
use crate::Error;

fn api(operation: Operation, status: u16, code: Option<&str>) -> Box<ApiError> {
    Box::new(ApiError {
        operation,
        status,
        error_type: None,
        code: code.map(|c| types::ErrorCode::String(c.into())),
        message: Some("refused".into()),
        param: None,
        fallback_suggestion: None,
        retry_after: Some(Duration::from_secs(7)),
        request_id: Some("req-1".into()),
        server: Some("api.evolink.ai".into()),
        detail: Default::default(),
    })
}

/// One error of every kind that gives advice.
fn every_advising_error() -> Vec<Error> {
    let mut errors = vec![
        Error::InvalidRequest(api(Operation::CreateTask, 400, None)),
        Error::Authentication(api(Operation::GetTask, 401, None)),
        Error::InsufficientQuota(api(Operation::CreateTask, 402, None)),
        Error::Permission(api(Operation::CreateTask, 403, None)),
        Error::RequestTooLarge(api(Operation::CreateTask, 413, None)),
        Error::RateLimited(api(Operation::GetTask, 429, None)),
        Error::Internal(api(Operation::CreateTask, 500, None)),
        Error::Upstream(api(Operation::GetTask, 502, None)),
        Error::IdempotencyConflict(api(Operation::CreateTask, 409, None)),
        Error::PaidOutcomeUnknown(api(Operation::CreateTask, 409, None)),
        Error::ServiceUnavailable(api(Operation::CreateTask, 503, None)),
        Error::UploadQuota(api(Operation::Upload, 403, None)),
        Error::Api(api(Operation::GetCredits, 418, None)),
        Error::InvalidResponse {
            operation: Operation::CreateTask,
            status: Some(502),
            detail: "<html>".into(),
        },
        Error::TaskFailed {
            task_id: "task-unified-1".into(),
            status: "failed".into(),
            code: Some("content_policy_violation".into()),
            message: None,
            suggestion: None,
            documented: crate::lineup::task_error_code("content_policy_violation"),
        },
        Error::Cancelled {
            task_id: "task-unified-1".into(),
        },
        Error::Deadline {
            task_id: "task-unified-1".into(),
            waited: Duration::from_secs(60),
            last_status: "processing".into(),
        },
        Error::LedgerInUse {
            ledger: "ledger.jsonl".into(),
            holder: Some(42),
        },
        Error::LedgerElsewhere {
            ledger: "ledger.jsonl".into(),
            recorded: "http://127.0.0.1:9".into(),
            current: "https://api.evolink.ai".into(),
            unfinished: 2,
        },
        Error::Stopped {
            task_id: Some("task-unified-1".into()),
        },
        Error::OverBudget {
            max_credits: 10.0,
            reserved: 9.5,
        },
        Error::Download {
            task_id: "task-unified-1".into(),
            index: 0,
            problem: format!("out/task-unified-1-0.png exists; {}", Hint::Overwrite),
            expired: false,
        },
        Error::Config(ConfigError::MissingApiKey {
            variable: "EVOLINK_API_KEY",
        }),
        Error::Config(ConfigError::InsecureHttp {
            which: "API base URL",
            url: "http://10.0.0.1".into(),
        }),
        Error::Config(ConfigError::RootCertificate {
            path: None,
            reason: "no certificate".into(),
        }),
    ];
    for operation in [
        Operation::CreateTask,
        Operation::GetTask,
        Operation::DeleteFile,
        Operation::GetCredits,
    ] {
        errors.push(Error::NotFound(api(operation, 404, None)));
    }
    for code in [
        "insufficient_user_quota",
        "insufficient_token_quota",
        "token_daily_quota_exceeded",
        "key_disabled",
        "key_expired",
        "key_model_not_allowed",
        "another_code",
    ] {
        errors.push(Error::InsufficientQuota(api(
            Operation::CreateTask,
            402,
            Some(code),
        )));
    }
    errors
}

#[test]
fn every_advising_error_gives_its_hints_in_its_message_in_order() {
    for error in every_advising_error() {
        let message = error.to_string();
        let hints = error.hints();
        assert!(!hints.is_empty(), "no hint for: {message}");
        let mut from = 0;
        for hint in &hints {
            let text = hint.to_string();
            let at = message[from..]
                .find(&text)
                .unwrap_or_else(|| panic!("{hint:?} ({text}) not in order in: {message}"));
            from += at + text.len();
        }
    }
}

#[test]
fn message_with_puts_other_words_in_place_of_each_hint() {
    for error in every_advising_error() {
        let hints = error.hints();
        let message = error.message_with(|hint| {
            Some(format!(
                "<{}>",
                hints.iter().position(|h| h == hint).unwrap()
            ))
        });
        for (i, hint) in hints.iter().enumerate() {
            assert!(message.contains(&format!("<{i}>")), "{message}");
            assert!(!message.contains(&hint.to_string()), "{message}");
        }
        assert_eq!(error.message_with(|_| None), error.to_string());
    }
}

#[test]
fn hints_carry_what_they_need() {
    let mut refused = api(Operation::CreateTask, 402, Some("key_model_not_allowed"));
    refused.detail.allowed_models = vec!["nano-banana-2-lite".into()];
    refused.detail.action_url = Some("https://example.com/keys".into());
    assert_eq!(
        Error::InsufficientQuota(refused).hints(),
        [Hint::PickAllowedModel {
            allowed: vec!["nano-banana-2-lite".into()],
            url: "https://example.com/keys".into(),
        }]
    );
    assert_eq!(
        Error::RateLimited(api(Operation::GetTask, 429, None)).hints(),
        [Hint::SlowDown {
            retry_after: Some(Duration::from_secs(7))
        }]
    );
    let mut elsewhere = api(Operation::GetTask, 401, None);
    elsewhere.server = Some("127.0.0.1:8080".into());
    assert_eq!(
        Error::Authentication(elsewhere).hints(),
        [Hint::CheckServerKey {
            server: "127.0.0.1:8080".into()
        }]
    );
    let expired = Error::Download {
        task_id: "task-unified-1".into(),
        index: 0,
        problem: "HTTP 410".into(),
        expired: true,
    };
    assert_eq!(expired.hints(), []);
    let stopped_before = Error::Stopped { task_id: None };
    assert_eq!(stopped_before.hints(), []);
}

#[test]
fn a_key_refused_by_api_key_is_a_setting_error() {
    let error = Error::from(crate::config::ApiKey::new(" ").unwrap_err());
    assert!(matches!(error, Error::Config(ConfigError::EmptyApiKey)));
    assert_eq!(
        error.to_string(),
        "the API key is empty: pass the key from https://evolink.ai/dashboard/keys"
    );
}
