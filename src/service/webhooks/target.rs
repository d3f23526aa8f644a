//! Where a webhook may be sent: `https` to public addresses only. The host is resolved and
//! every address checked when the endpoint is registered and again before each delivery, and
//! the delivery connects only to the addresses checked, so a name that later resolves to a
//! private address (DNS rebinding) reaches nothing inside.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::error::{DomainError, DomainResult};

const FIELD: &str = "url";

fn invalid(message: &str) -> DomainError {
    DomainError::invalid(FIELD, message)
}

/// Whether an address is reachable from the internet at large (not loopback, private,
/// link-local, shared, unspecified, multicast or reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8
        || first == 0x0064 && ip.segments()[1] == 0xff9b)
}

/// The URL, checked for its form: `https` (or `http` when private addresses are allowed), a
/// host, no user or password.
pub fn parse(raw: &str, allow_private: bool) -> DomainResult<url::Url> {
    let url = url::Url::parse(raw.trim()).map_err(|_| invalid("must be an absolute URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(invalid("must start with https://")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("must name a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not hold a user name or password"));
    }
    if url.fragment().is_some() {
        return Err(invalid("must not have a fragment"));
    }
    Ok(url)
}

/// Resolves the URL's host and checks every address; answers the addresses to connect to.
pub async fn resolve(url: &url::Url, allow_private: bool) -> DomainResult<Vec<SocketAddr>> {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| invalid("its host name does not resolve"))?
        .collect();
    if addrs.is_empty() {
        return Err(invalid("its host name does not resolve"));
    }
    if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(invalid(
            "must not point to a loopback, private or link-local address",
        ));
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.3.4",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn only_https_unless_allowed() {
        assert!(parse("http://example.com/", false).is_err());
        assert!(parse("http://example.com/", true).is_ok());
        assert!(parse("https://u:p@example.com/", false).is_err());
        assert!(parse("ftp://example.com/", true).is_err());
    }
}
