//! At create time, a `callback_url` whose host name resolves only to addresses callbacks may
//! not reach (loopback, private, …) is refused like a literal one: the create's 400 naming
//! `callback_url`. The lookup is bounded; a name that does not resolve in time (or at all) is
//! accepted here, and its delivery is checked again on the addresses then connected to.

use std::time::Duration;

use crate::address_policy::AddressPolicy;
use crate::contract::{ApiFailure, SpecOperation};
use crate::SandboxConfig;

/// How long the create waits for the callback host's addresses.
pub(crate) const LOOKUP_TIMEOUT: Duration = Duration::from_secs(2);

/// `Err` (the documented 400) when `callback_url`'s host is a name whose every address is one
/// callbacks may not reach; always `Ok` with insecure callbacks allowed.
pub(crate) async fn check(callback_url: &str, config: &SandboxConfig) -> Result<(), ApiFailure> {
    if config.allow_insecure_callbacks {
        return Ok(());
    }
    let Ok(url) = reqwest::Url::parse(callback_url) else {
        return Ok(());
    };
    let Some(url::Host::Domain(host)) = url.host() else {
        // Literal addresses were checked with the request's limits.
        return Ok(());
    };
    let lookup = crate::outbound::lookup(host, &config.dns_overrides);
    let Ok(Ok(addrs)) = tokio::time::timeout(LOOKUP_TIMEOUT, lookup).await else {
        return Ok(());
    };
    match crate::outbound::allowed(AddressPolicy::callbacks(false), host, &addrs) {
        Ok(_) => Ok(()),
        Err(forbidden) => {
            let reasons: Vec<String> = forbidden.refused.iter().map(|r| r.to_string()).collect();
            Err(ApiFailure::documented(SpecOperation::CreateTask, 400)
                .message(format!(
                    "`callback_url` points at `{host}`, which resolves only to {}; the limit is a public host: not localhost, loopback, private, link-local, shared, reserved or unique-local (start the sandbox with --allow-insecure-callbacks for a local receiver)",
                    reasons.join(", ")
                ))
                .param("callback_url"))
        }
    }
}
