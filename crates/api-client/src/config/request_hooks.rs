//! What happens to every request the generated [`Client`] sends, through progenitor's
//! `ClientHooks::exec` (the generated code calls it for every operation, and does not compile
//! without it): the client's key is added, and a `tracing` span records the operation id,
//! method, path, status and duration. Headers are never recorded, so the key cannot reach a log.

use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::AUTHORIZATION;
use tracing::Instrument;

use crate::config::ApiKey;
use crate::generated::Client;

impl ClientHooks<ApiKey> for Client {
    async fn exec(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        authorize(&mut request, self.inner());
        let span = tracing::debug_span!(
            "api_request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
        );
        if span.is_disabled() {
            // No tracing subscriber listens: no clock reads, no instrumented future. (A `log`
            // logger alone, through tracing's `log` feature, does not see these per-request
            // lines; a tracing subscriber does.)
            return self.client().execute(request).await;
        }
        let started = Instant::now();
        let result = self
            .client()
            .execute(request)
            .instrument(span.clone())
            .await;
        let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
        span.in_scope(|| match &result {
            Ok(response) => {
                tracing::debug!(status = response.status().as_u16(), elapsed_ms, "answered")
            }
            Err(error) => tracing::debug!(%error, elapsed_ms, "no answer"),
        });
        result
    }
}

/// Sets `Authorization: Bearer <key>` on `request`, replacing any value the HTTP client's own
/// default headers would give it. The request goes to the client's base URL (every operation
/// is a path below it); reqwest removes the header if a redirect leads to another host.
fn authorize(request: &mut reqwest::Request, key: &ApiKey) {
    request
        .headers_mut()
        .insert(AUTHORIZATION, key.bearer_header().clone());
}
