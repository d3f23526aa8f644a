//! An application's settings as an OpenID client, and their checks.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, DomainResult};

pub const MAX_URIS: usize = 10;
pub const URI_MAX: usize = 2000;
pub const ACCESS_TTL: (i64, i64) = (60, 3600);
pub const ID_TTL: (i64, i64) = (60, 3600);
pub const REFRESH_TTL: (i64, i64) = (3600, 90 * 86400);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientSettings {
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// Seconds.
    pub access_token_ttl: i64,
    pub id_token_ttl: i64,
    pub refresh_token_ttl: i64,
    /// The public key for `private_key_jwt`, as a JWK.
    pub jwk: Option<serde_json::Value>,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            redirect_uris: Vec::new(),
            post_logout_redirect_uris: Vec::new(),
            access_token_ttl: 600,
            id_token_ttl: 600,
            refresh_token_ttl: 30 * 86400,
            jwk: None,
        }
    }
}

impl ClientSettings {
    /// Checks every field, naming the first at fault.
    pub fn validate(self) -> DomainResult<Self> {
        check_uris("redirect_uris", &self.redirect_uris)?;
        check_uris("post_logout_redirect_uris", &self.post_logout_redirect_uris)?;
        check_ttl("access_token_ttl", self.access_token_ttl, ACCESS_TTL)?;
        check_ttl("id_token_ttl", self.id_token_ttl, ID_TTL)?;
        check_ttl("refresh_token_ttl", self.refresh_token_ttl, REFRESH_TTL)?;
        if let Some(jwk) = &self.jwk {
            crate::oidc::assertion::public_key(jwk).map_err(|m| DomainError::invalid("jwk", m))?;
        }
        Ok(self)
    }

    /// Whether `uri` is registered, compared exactly (RFC 6749 §3.1.2.3 with OAuth 2.1's
    /// simple string comparison).
    pub fn redirect_allowed(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }

    pub fn logout_allowed(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|r| r == uri)
    }
}

fn check_ttl(field: &str, value: i64, (min, max): (i64, i64)) -> DomainResult<()> {
    if value < min || value > max {
        return Err(DomainError::invalid(
            field,
            format!("must be between {min} and {max} seconds"),
        ));
    }
    Ok(())
}

fn check_uris(field: &str, uris: &[String]) -> DomainResult<()> {
    if uris.len() > MAX_URIS {
        return Err(DomainError::invalid(
            field,
            format!("at most {MAX_URIS} addresses"),
        ));
    }
    for (i, uri) in uris.iter().enumerate() {
        let at = format!("{field}[{i}]");
        if uri.len() > URI_MAX {
            return Err(DomainError::invalid(
                at,
                format!("at most {URI_MAX} characters"),
            ));
        }
        check_redirect(uri).map_err(|m| DomainError::invalid(&at, m))?;
        if uris[..i].contains(uri) {
            return Err(DomainError::invalid(at, "is listed twice"));
        }
    }
    Ok(())
}

/// A redirect URI must be absolute, without a fragment, and `https` unless it points at this
/// machine (RFC 8252 §7.3: native and development clients listen on loopback).
fn check_redirect(uri: &str) -> Result<(), String> {
    let parsed = url::Url::parse(uri).map_err(|_| "must be an absolute URL".to_string())?;
    if parsed.fragment().is_some() {
        return Err("must not have a fragment (#)".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not carry a user name or password".into());
    }
    if parsed.as_str() != uri && parsed.as_str() != format!("{uri}/") {
        return Err("must be written in its normal form".into());
    }
    let loopback = matches!(
        parsed.host(),
        Some(url::Host::Domain("localhost")) | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
    ) || matches!(parsed.host(), Some(url::Host::Ipv6(a)) if a.is_loopback());
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err("must use https (http only on loopback)".into()),
        _ => Err("must use https".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(uris: &[&str]) -> DomainResult<ClientSettings> {
        ClientSettings {
            redirect_uris: uris.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
        .validate()
    }

    #[test]
    fn redirect_uris_are_checked() {
        assert!(with(&["https://app.example/cb", "http://127.0.0.1:8080/cb"]).is_ok());
        for (bad, why) in [
            ("/cb", "absolute"),
            ("http://app.example/cb", "https"),
            ("https://app.example/cb#x", "fragment"),
            ("javascript:alert(1)", "https"),
            ("https://u:p@app.example/cb", "user name"),
        ] {
            let err = with(&[bad]).unwrap_err().to_string();
            assert!(
                err.contains("redirect_uris[0]") && err.contains(why),
                "{bad}: {err}"
            );
        }
        let err = with(&["https://a.example/cb", "https://a.example/cb"]).unwrap_err();
        assert!(err.to_string().contains("redirect_uris[1]"));
    }

    #[test]
    fn exact_match_only() {
        let c = with(&["https://app.example/cb"]).unwrap();
        assert!(c.redirect_allowed("https://app.example/cb"));
        assert!(!c.redirect_allowed("https://app.example/cb/"));
        assert!(!c.redirect_allowed("https://app.example/cb?x=1"));
        assert!(!c.redirect_allowed("https://APP.example/cb"));
    }

    #[test]
    fn lifetimes_are_bounded() {
        let c = ClientSettings {
            access_token_ttl: 10,
            ..Default::default()
        };
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("access_token_ttl"));
    }
}
