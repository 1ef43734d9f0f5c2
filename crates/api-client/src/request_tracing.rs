//! One `tracing` span per API request (operation id, method, path, status, duration), through
//! progenitor's `ClientHooks::exec`: the generated code calls it for every operation. Headers
//! are never recorded, so the key cannot reach a log.

use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use tracing::Instrument;

use crate::Client;

impl ClientHooks<()> for Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::debug_span!(
            "api_request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
        );
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
