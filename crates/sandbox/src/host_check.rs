//! The sandbox's own page and journal (`/__sandbox/…`) answer only requests addressed to the
//! sandbox: a `Host` that is the address it listens on, or `localhost`, `127.0.0.1` or `[::1]`
//! (any port). A web page on another site that re-points its own name at 127.0.0.1 (DNS
//! rebinding) sends that name as `Host`, and is refused: it cannot read the journal, prompts
//! included. The API's routes are not concerned.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::state::AppState;
use crate::{journal_http, page};

/// The sandbox's own routes, each behind the `Host` check.
pub(crate) fn sandbox_routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/__sandbox/requests", get(journal_http::list))
        .route("/__sandbox/", get(page::show))
        .route("/__sandbox", get(page::show))
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            require_local_host,
        ))
}

/// Middleware: refuses (403) a request whose `Host` is not the sandbox's own.
async fn require_local_host(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned())
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_string()));
    let listening = state
        .base_url
        .get()
        .and_then(|url| url.split_once("://"))
        .and_then(|(_, authority)| authority.parse::<SocketAddr>().ok());
    match (&host, listening) {
        (Some(host), Some(listening)) if is_own_host(host, listening) => next.run(request).await,
        _ => refuse(host.as_deref(), listening),
    }
}

/// Whether `host` (a `Host` header) names this sandbox listening at `listening`.
fn is_own_host(host: &str, listening: SocketAddr) -> bool {
    let host = host.trim();
    if host.eq_ignore_ascii_case(&listening.to_string()) {
        return true;
    }
    let (name, port) = match host.rsplit_once(':') {
        // `[::1]` without a port: its colons are inside the brackets.
        Some((name, port)) if !port.contains(']') => (name, Some(port)),
        _ => (host, None),
    };
    if port.is_some_and(|p| p.parse::<u16>().is_err()) {
        return false;
    }
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if matches!(name.as_str(), "localhost" | "127.0.0.1" | "[::1]") {
        return true;
    }
    // Listening on every interface: any literal address (a rebinding page sends a name) at
    // the sandbox's port.
    let literal = name
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok();
    listening.ip().is_unspecified()
        && literal
        && port.and_then(|p| p.parse::<u16>().ok()) == Some(listening.port())
}

fn refuse(host: Option<&str>, listening: Option<SocketAddr>) -> Response {
    let shown: String = host.unwrap_or("(none)").chars().take(100).collect();
    let own = listening.map_or_else(|| "its own address".to_string(), |a| a.to_string());
    let message = format!(
        "The sandbox's page and journal answer only requests addressed to {own}, localhost, 127.0.0.1 or [::1]; this one was addressed to `{shown}` (the Host header). A web page of another site reaching the sandbox through a name pointed at this machine (DNS rebinding) looks like this. Open http://{own}/__sandbox/ instead."
    );
    let body =
        serde_json::json!({"error": {"code": 403, "message": message, "type": "forbidden_host"}});
    (StatusCode::FORBIDDEN, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listening_address_and_loopback_names_are_the_sandbox_s_own() {
        let at: SocketAddr = "127.0.0.1:8787".parse().unwrap();
        for host in [
            "127.0.0.1:8787",
            "localhost",
            "localhost:8787",
            "LOCALHOST:9000",
            "localhost.:8787",
            "127.0.0.1",
            "[::1]",
            "[::1]:8787",
        ] {
            assert!(is_own_host(host, at), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8787",
            "localhost.evil.example",
            "127.0.0.1.nip.io:8787",
            "localhost:notaport",
            "10.0.0.2:8787",
            "",
        ] {
            assert!(!is_own_host(host, at), "{host}");
        }
    }

    #[test]
    fn listening_everywhere_accepts_literal_addresses_at_its_port_but_no_name() {
        let at: SocketAddr = "0.0.0.0:8787".parse().unwrap();
        assert!(is_own_host("192.168.1.20:8787", at));
        assert!(is_own_host("[fe80::1]:8787", at));
        assert!(!is_own_host("192.168.1.20:9999", at));
        assert!(!is_own_host("sandbox.lan:8787", at));
    }
}
