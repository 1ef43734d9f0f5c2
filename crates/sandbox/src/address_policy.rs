//! Which addresses the sandbox may connect to on its own (callbacks, `upload/url`): every
//! address is sorted into loopback, internal (private, link-local, CGNAT, benchmark,
//! documentation, multicast, reserved, unspecified, broadcast, unique-local, and IPv6 forms
//! that embed such an IPv4 address) or public, and a policy says which of the three it reaches.
//! The check runs on the addresses a name resolves to, so a name cannot smuggle in what a
//! literal address may not (see `outbound`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What an address is, for deciding whether the sandbox may connect to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// This machine: 127/8, `::1` (and `::ffff:127.x.y.z`).
    Loopback,
    /// Not on the public internet; the words say which range.
    Internal(&'static str),
    /// Anything else.
    Public,
}

/// The range `ip` is in.
pub fn classify(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Reach {
    let [a, b, c, _] = ip.octets();
    let internal = match (a, b, c) {
        (127, _, _) => return Reach::Loopback,
        (0, _, _) => "\"this network\" (0/8)",
        (10, _, _) => "private (10/8)",
        (172, 16..=31, _) => "private (172.16/12)",
        (192, 168, _) => "private (192.168/16)",
        (100, 64..=127, _) => "shared carrier-grade NAT (100.64/10)",
        (169, 254, _) => "link-local (169.254/16)",
        (192, 0, 0) => "reserved for protocol assignments (192.0.0/24)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => {
            "reserved for documentation (192.0.2/24, 198.51.100/24, 203.0.113/24)"
        }
        (198, 18..=19, _) => "reserved for benchmarking (198.18/15)",
        (224..=239, _, _) => "multicast (224/4)",
        _ if ip == Ipv4Addr::BROADCAST => "broadcast (255.255.255.255)",
        (240..=255, _, _) => "reserved (240/4)",
        _ => return Reach::Public,
    };
    Reach::Internal(internal)
}

fn classify_v6(ip: Ipv6Addr) -> Reach {
    if ip.is_loopback() {
        return Reach::Loopback;
    }
    if ip.is_unspecified() {
        return Reach::Internal("unspecified (::)");
    }
    let s = ip.segments();
    let o = ip.octets();
    let embedded = |bytes: [u8; 4]| classify_v4(Ipv4Addr::from(bytes));
    // ::ffff:a.b.c.d reaches a.b.c.d itself: it is whatever that address is.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let forbidden_inside = |reach: Reach, what: &'static str| match reach {
        Reach::Public => Reach::Public,
        _ => Reach::Internal(what),
    };
    match s {
        // ::a.b.c.d (deprecated IPv4-compatible): nothing public is reached this way.
        [0, 0, 0, 0, 0, 0, _, _] => Reach::Internal("IPv4-compatible IPv6 (::/96)"),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => forbidden_inside(
            embedded([o[12], o[13], o[14], o[15]]),
            "NAT64 (64:ff9b::/96) of a non-public IPv4 address",
        ),
        [0x64, 0xff9b, 1, ..] => Reach::Internal("local-use NAT64 (64:ff9b:1::/48)"),
        [0x2002, ..] => forbidden_inside(
            embedded([o[2], o[3], o[4], o[5]]),
            "6to4 (2002::/16) of a non-public IPv4 address",
        ),
        [0x0100, 0, 0, 0, ..] => Reach::Internal("discard-only (100::/64)"),
        [0x2001, 0x0db8, ..] => Reach::Internal("reserved for documentation (2001:db8::/32)"),
        [0x2001, 0x0002, 0, ..] => Reach::Internal("reserved for benchmarking (2001:2::/48)"),
        [first, ..] if first & 0xfe00 == 0xfc00 => Reach::Internal("unique-local (fc00::/7)"),
        [first, ..] if first & 0xffc0 == 0xfe80 => Reach::Internal("link-local (fe80::/10)"),
        [first, ..] if first & 0xffc0 == 0xfec0 => Reach::Internal("site-local (fec0::/10)"),
        [first, ..] if first & 0xff00 == 0xff00 => Reach::Internal("multicast (ff00::/8)"),
        _ => Reach::Public,
    }
}

/// Which kinds of address one of the sandbox's outgoing calls may reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressPolicy {
    loopback: bool,
    internal: bool,
    public: bool,
}

/// An address a policy does not reach, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The address.
    pub ip: IpAddr,
    /// What it is, in words: "loopback", "private (10/8)".
    pub what: &'static str,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is {}", self.ip, self.what)
    }
}

impl AddressPolicy {
    /// Callbacks: public addresses only, or anything when insecure callbacks are allowed
    /// (`--allow-insecure-callbacks`, for local receivers).
    pub fn callbacks(allow_insecure: bool) -> Self {
        Self {
            loopback: allow_insecure,
            internal: allow_insecure,
            public: true,
        }
    }

    /// `upload/url`: loopback always (the sandbox's own machine); public addresses when it may
    /// fetch remote files (`--fetch-remote-files`); other internal ones only when insecure
    /// callbacks are allowed too.
    pub fn file_fetches(fetch_remote: bool, allow_insecure: bool) -> Self {
        Self {
            loopback: true,
            internal: allow_insecure,
            public: fetch_remote,
        }
    }

    /// `Ok` when the policy reaches `ip`.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refused> {
        let (allowed, what) = match classify(ip) {
            Reach::Loopback => (self.loopback, "loopback"),
            Reach::Internal(what) => (self.internal, what),
            Reach::Public => (
                self.public,
                "public (this sandbox fetches only loopback URLs)",
            ),
        };
        if allowed {
            Ok(())
        } else {
            Err(Refused { ip, what })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(ip: &str) -> Reach {
        classify(ip.parse().unwrap())
    }

    fn internal(ip: &str) -> bool {
        matches!(reach(ip), Reach::Internal(_))
    }

    #[test]
    fn loopback_is_loopback_in_every_form() {
        for ip in ["127.0.0.1", "127.255.255.254", "::1", "::ffff:127.0.0.1"] {
            assert_eq!(reach(ip), Reach::Loopback, "{ip}");
        }
    }

    #[test]
    fn every_internal_ipv4_range_is_internal_at_both_ends() {
        let ranges = [
            ("0.0.0.0", "0.255.255.255"),
            ("10.0.0.0", "10.255.255.255"),
            ("172.16.0.0", "172.31.255.255"),
            ("192.168.0.0", "192.168.255.255"),
            ("169.254.0.0", "169.254.255.255"),
            ("100.64.0.0", "100.127.255.255"),
            ("198.18.0.0", "198.19.255.255"),
            ("192.0.0.0", "192.0.0.255"),
            ("192.0.2.0", "192.0.2.255"),
            ("198.51.100.0", "198.51.100.255"),
            ("203.0.113.0", "203.0.113.255"),
            ("224.0.0.0", "239.255.255.255"),
            ("240.0.0.0", "255.255.255.254"),
            ("255.255.255.255", "255.255.255.255"),
        ];
        for (first, last) in ranges {
            assert!(internal(first), "{first}");
            assert!(internal(last), "{last}");
        }
        assert_eq!(
            reach("255.255.255.255"),
            Reach::Internal("broadcast (255.255.255.255)")
        );
    }

    #[test]
    fn the_neighbours_of_each_range_are_public() {
        for ip in [
            "1.1.1.1",
            "9.255.255.255",
            "11.0.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.167.255.255",
            "192.169.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "192.0.1.0",
            "192.0.3.0",
            "198.51.99.0",
            "203.0.114.0",
            "223.255.255.255",
            "93.184.215.14",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert_eq!(reach(ip), Reach::Public, "{ip}");
        }
    }

    #[test]
    fn every_internal_ipv6_range_is_internal() {
        for ip in [
            "::",
            "fc00::1",
            "fdff:ffff::1",
            "fe80::1",
            "febf:ffff::1",
            "fec0::1",
            "ff00::1",
            "ff02::1",
            "2001:db8::1",
            "2001:2::1",
            "100::1",
            "64:ff9b:1::1",
        ] {
            assert!(internal(ip), "{ip}");
        }
    }

    #[test]
    fn ipv6_forms_of_an_ipv4_address_are_judged_by_it() {
        // Mapped: exactly the IPv4 address.
        assert_eq!(reach("::ffff:10.0.0.1"), Reach::Internal("private (10/8)"));
        assert!(internal("::ffff:169.254.169.254"));
        assert!(internal("::ffff:100.64.0.1"));
        // Compatible (deprecated): never public.
        assert!(internal("::127.0.0.1"));
        assert!(internal("::8.8.8.8"));
        // NAT64 and 6to4: refused when what they embed is not public.
        for ip in [
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::c000:202",
            "2002:7f00:1::1",
            "2002:a00:1::",
            "2002:c0a8:101::1",
            "2002:6440:1::1",
            "2002:e000:1::1",
        ] {
            assert!(internal(ip), "{ip}");
        }
    }

    #[test]
    fn callbacks_reach_only_public_addresses_unless_insecure_ones_are_allowed() {
        let strict = AddressPolicy::callbacks(false);
        let local = AddressPolicy::callbacks(true);
        for ip in ["127.0.0.1", "::1", "10.1.2.3", "fd00::1", "64:ff9b::7f00:1"] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(strict.check(ip).is_err(), "{ip}");
            assert!(local.check(ip).is_ok(), "{ip}");
        }
        let public: IpAddr = "93.184.215.14".parse().unwrap();
        assert!(strict.check(public).is_ok() && local.check(public).is_ok());
        let refused = strict.check("127.0.0.1".parse().unwrap()).unwrap_err();
        assert_eq!(refused.to_string(), "127.0.0.1 is loopback");
    }

    #[test]
    fn file_fetches_reach_loopback_and_public_only_when_remote_fetches_are_allowed() {
        let ip = |s: &str| -> IpAddr { s.parse().unwrap() };
        let local_only = AddressPolicy::file_fetches(false, false);
        assert!(local_only.check(ip("127.0.0.1")).is_ok());
        assert!(local_only.check(ip("93.184.215.14")).is_err());
        assert!(local_only.check(ip("192.0.2.2")).is_err());
        let remote = AddressPolicy::file_fetches(true, false);
        assert!(remote.check(ip("93.184.215.14")).is_ok());
        assert!(remote.check(ip("::1")).is_ok());
        for forbidden in ["192.0.2.2", "10.0.0.1", "169.254.169.254", "2002:a00:1::"] {
            assert!(remote.check(ip(forbidden)).is_err(), "{forbidden}");
        }
        assert!(AddressPolicy::file_fetches(true, true)
            .check(ip("10.0.0.1"))
            .is_ok());
    }
}
