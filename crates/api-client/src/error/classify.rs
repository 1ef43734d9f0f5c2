//! Turning the generated client's errors into [`Error`]: documented error bodies, undocumented
//! statuses (read and parsed when they carry the error shape), broken bodies and transport
//! failures, each marked with whether the request may have reached the server.

use reqwest::header::HeaderMap;

use crate::error::validation::ValidationError;
use crate::error::{ApiError, Error, Operation};
use crate::transport::retry_after;
use crate::types;

/// The generated client's error for the image API's operations.
pub(crate) type GeneratedError<E = types::ErrorResponse> = crate::generated::Error<E>;

/// An error body of one of the two services, read as the image API's `error` object.
pub(crate) trait ErrorBody: serde::de::DeserializeOwned {
    /// The body's fields, named as the image API names them.
    fn into_detail(self) -> types::ErrorDetail;
}

impl ErrorBody for types::ErrorResponse {
    fn into_detail(self) -> types::ErrorDetail {
        self.error
    }
}

/// The file service's `{success, code, msg}`: `code` and `msg` become `code` and `message`.
impl ErrorBody for types::FileServiceError {
    fn into_detail(self) -> types::ErrorDetail {
        types::ErrorDetail {
            code: self.code.map(types::ErrorCode::Integer),
            message: self.msg,
            ..Default::default()
        }
    }
}

/// At most this much of an unexpected body is read to find an error message.
const BODY_SNIPPET: usize = 300;

/// Classifies a failed call of `operation`.
pub(crate) async fn classify<E: ErrorBody>(
    operation: Operation,
    error: GeneratedError<E>,
) -> Error {
    use crate::generated::Error as G;
    match error {
        G::InvalidRequest(message) => conversion_error(message),
        G::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            api_error(
                operation,
                status,
                &headers,
                Some(response.into_inner().into_detail()),
            )
        }
        G::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await.unwrap_or_default();
            match serde_json::from_slice::<E>(&body) {
                Ok(parsed) => api_error(operation, status, &headers, Some(parsed.into_detail())),
                Err(_) if (400..600).contains(&status) && body.is_empty() => {
                    api_error(operation, status, &headers, None)
                }
                Err(e) => Error::InvalidResponse {
                    operation,
                    status: Some(status),
                    detail: format!("{e}; body starts {:?}", snippet(&body)),
                },
            }
        }
        G::InvalidResponsePayload(body, e) => Error::InvalidResponse {
            operation,
            status: None,
            detail: format!("{e}; body starts {:?}", snippet(&body)),
        },
        G::CommunicationError(e) | G::ResponseBodyError(e) | G::InvalidUpgrade(e) => {
            transport(operation, e)
        }
        G::Custom(message) => Error::InvalidResponse {
            operation,
            status: None,
            detail: message,
        },
    }
}

/// A reqwest failure: a timeout, a connection that never opened, or one that broke after the
/// request may have been sent.
pub(crate) fn transport(operation: Operation, error: reqwest::Error) -> Error {
    if error.is_timeout() {
        Error::Timeout {
            operation,
            source: error,
        }
    } else {
        Error::Connection {
            operation,
            may_have_reached_server: !error.is_connect(),
            source: error,
        }
    }
}

fn api_error(
    operation: Operation,
    status: u16,
    headers: &HeaderMap,
    detail: Option<types::ErrorDetail>,
) -> Error {
    let detail = detail.unwrap_or_default();
    let retry_after = retry_after(headers, detail.fallback_suggestion.as_deref());
    let request_id = detail.request_id.clone().or_else(|| {
        headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    Error::from_api(ApiError {
        operation,
        status,
        error_type: detail.type_.clone(),
        code: detail.code.clone(),
        message: detail.message.clone(),
        param: detail.param.clone(),
        fallback_suggestion: detail.fallback_suggestion.clone(),
        retry_after,
        request_id,
        server: None,
        detail,
    })
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(BODY_SNIPPET)]);
    text.chars()
        .filter(|c| !c.is_control() || *c == ' ')
        .collect()
}

/// typify's builder errors read "error converting supplied value for <field>: …" or
/// "no value supplied for <field>".
fn field_of(message: &str) -> Option<&str> {
    let rest = message
        .split("supplied value for ")
        .nth(1)
        .or_else(|| message.split("value supplied for ").nth(1))?;
    rest.split(':').next().map(str::trim)
}

/// A request that typify's builder could not assemble (a missing or invalid field).
pub(crate) fn conversion_error(message: String) -> Error {
    Error::Validation(ValidationError {
        field: field_of(&message).unwrap_or("request").to_string(),
        problem: message,
        limit: "the request schema in spec/openapi.yaml".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_messages_name_their_field() {
        assert_eq!(
            field_of("error converting supplied value for prompt: longer than 2000 characters"),
            Some("prompt")
        );
        assert_eq!(field_of("no value supplied for model"), Some("model"));
        assert_eq!(field_of("something else"), None);
    }

    #[test]
    fn snippets_are_short_and_printable() {
        let body = format!("<html>\n{}", "x".repeat(1000));
        let text = snippet(body.as_bytes());
        assert!(text.len() <= BODY_SNIPPET);
        assert!(!text.contains('\n'));
    }
}
