//! The sandbox's own outgoing HTTP (callbacks, `upload/url` downloads): each client connects
//! only where its [`AddressPolicy`] allows, judged on the addresses actually connected to. A
//! host name goes through a resolver that drops the addresses the policy refuses; a literal
//! address (which reqwest connects to without resolving) is checked before the request is
//! sent. Redirects are not followed, no `Referer` is sent, and no proxy is used (a proxy would
//! connect on the sandbox's behalf, unchecked).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::address_policy::{AddressPolicy, Refused};

/// Names resolved to fixed addresses instead of asking the system (see
/// [`SandboxConfig::dns_overrides`](crate::SandboxConfig::dns_overrides)).
pub(crate) type DnsOverrides = Arc<[(String, IpAddr)]>;

/// A target the policy does not reach: a literal address, or a name all of whose addresses
/// are refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Forbidden {
    /// The host as the URL names it.
    pub host: String,
    /// Each address and why it is refused.
    pub refused: Vec<Refused>,
}

impl std::fmt::Display for Forbidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let reasons: Vec<String> = self.refused.iter().map(Refused::to_string).collect();
        match self.refused.as_slice() {
            [only] if only.ip.to_string() == self.host => write!(f, "{only}"),
            _ => write!(
                f,
                "`{}` resolves only to addresses the sandbox does not connect to ({})",
                self.host,
                reasons.join(", ")
            ),
        }
    }
}

impl std::error::Error for Forbidden {}

/// The addresses of `host`: from `overrides` when it is there, else from the system.
pub(crate) async fn lookup(
    host: &str,
    overrides: &[(String, IpAddr)],
) -> std::io::Result<Vec<IpAddr>> {
    let wanted = host.trim_end_matches('.');
    let fixed: Vec<IpAddr> = overrides
        .iter()
        .filter(|(name, _)| name.trim_end_matches('.').eq_ignore_ascii_case(wanted))
        .map(|(_, ip)| *ip)
        .collect();
    if !fixed.is_empty() {
        return Ok(fixed);
    }
    Ok(tokio::net::lookup_host((host, 0))
        .await?
        .map(|a| a.ip())
        .collect())
}

/// The addresses of `addrs` that `policy` reaches; `Forbidden` when there is none.
pub(crate) fn allowed(
    policy: AddressPolicy,
    host: &str,
    addrs: &[IpAddr],
) -> Result<Vec<IpAddr>, Forbidden> {
    let (mut kept, mut refused) = (Vec::new(), Vec::new());
    for ip in addrs {
        match policy.check(*ip) {
            Ok(()) => kept.push(*ip),
            Err(no) if !refused.contains(&no) => refused.push(no),
            Err(_) => {}
        }
    }
    if kept.is_empty() && !refused.is_empty() {
        return Err(Forbidden {
            host: host.to_string(),
            refused,
        });
    }
    Ok(kept)
}

/// `Err` when `url`'s host is a literal address `policy` does not reach (reqwest connects to
/// those without the resolver).
pub(crate) fn check_literal(policy: AddressPolicy, url: &reqwest::Url) -> Result<(), Forbidden> {
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        _ => return Ok(()),
    };
    policy.check(ip).map_err(|refused| Forbidden {
        host: ip.to_string(),
        refused: vec![refused],
    })
}

/// The [`Forbidden`] among an error's causes, if that is why it failed.
pub(crate) fn forbidden_in<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a Forbidden> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(forbidden) = error.downcast_ref::<Forbidden>() {
            return Some(forbidden);
        }
        cause = error.source();
    }
    None
}

/// Resolves names and keeps only the addresses the policy reaches.
struct CheckedResolver {
    policy: AddressPolicy,
    overrides: DnsOverrides,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let (policy, overrides) = (self.policy, self.overrides.clone());
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = lookup(&host, &overrides).await?;
            let kept = allowed(policy, &host, &addrs)?;
            let addrs: reqwest::dns::Addrs =
                Box::new(kept.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// A client that connects only where `policy` allows (names through `overrides` first), follows
/// no redirect, sends no `Referer` and uses no proxy.
pub(crate) fn client(
    policy: AddressPolicy,
    overrides: DnsOverrides,
    timeout: Option<Duration>,
) -> std::io::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .dns_resolver(CheckedResolver { policy, overrides })
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .no_proxy();
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    builder.build().map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn overrides_answer_before_the_system_and_ignore_case_and_the_final_dot() {
        let overrides: DnsOverrides = Arc::new([("Hooks.Example.com".into(), [1, 1, 1, 1].into())]);
        let found = lookup("hooks.example.com.", &overrides).await.unwrap();
        assert_eq!(found, [IpAddr::from([1, 1, 1, 1])]);
    }

    #[tokio::test]
    async fn without_an_override_the_system_resolves_and_localhost_is_refused_for_callbacks() {
        let found = lookup("localhost", &[]).await.unwrap();
        assert!(
            !found.is_empty() && found.iter().all(IpAddr::is_loopback),
            "{found:?}"
        );
        let refused = allowed(AddressPolicy::callbacks(false), "localhost", &found).unwrap_err();
        assert!(refused.to_string().contains("is loopback"), "{refused}");
    }

    #[test]
    fn a_name_is_refused_only_when_every_address_is() {
        let strict = AddressPolicy::callbacks(false);
        let local: IpAddr = [127, 0, 0, 1].into();
        let public: IpAddr = [1, 1, 1, 1].into();
        assert_eq!(allowed(strict, "vm", &[local, public]).unwrap(), [public]);
        let refused = allowed(strict, "vm", &[local, local]).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "`vm` resolves only to addresses the sandbox does not connect to (127.0.0.1 is loopback)"
        );
    }

    #[test]
    fn literal_addresses_are_checked_and_names_left_to_the_resolver() {
        let strict = AddressPolicy::callbacks(false);
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        let refused = check_literal(strict, &url("https://[::ffff:10.0.0.1]/x")).unwrap_err();
        assert_eq!(refused.to_string(), "::ffff:10.0.0.1 is private (10/8)");
        assert!(check_literal(strict, &url("https://100.64.0.1/x")).is_err());
        assert!(check_literal(strict, &url("https://1.1.1.1/x")).is_ok());
        assert!(check_literal(strict, &url("https://localhost/x")).is_ok());
    }
}
