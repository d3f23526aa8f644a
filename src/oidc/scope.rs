//! The scopes armario grants. `openid profile email` need no consent: the company's link to the
//! application is the consent. Anything more is asked for once on the hosted page.

/// Scopes an application may ask for.
pub const SUPPORTED: &[&str] = &["openid", "profile", "email", "offline_access", "roles"];
/// Scopes the link itself consents to.
pub const IMPLIED: &[&str] = &["openid", "profile", "email"];

/// A requested scope string, checked: known scopes only, `openid` required, in a stable order.
pub fn parse(requested: &str) -> Result<Vec<&'static str>, String> {
    let mut out = Vec::new();
    for s in requested.split(' ').filter(|s| !s.is_empty()) {
        match SUPPORTED.iter().find(|k| **k == s) {
            Some(k) => {
                if !out.contains(k) {
                    out.push(*k)
                }
            }
            None => return Err(format!("unknown scope {s:?}")),
        }
    }
    if !out.contains(&"openid") {
        return Err("the scope must include openid".into());
    }
    out.sort_by_key(|s| SUPPORTED.iter().position(|k| k == s));
    Ok(out)
}

/// The scopes of `scope` that need the user's consent and `granted` does not cover.
pub fn needs_consent<'a>(scope: &'a str, granted: &str) -> Vec<&'a str> {
    scope
        .split(' ')
        .filter(|s| !s.is_empty() && !IMPLIED.contains(s))
        .filter(|s| !granted.split(' ').any(|g| g == *s))
        .collect()
}

pub fn has(scope: &str, wanted: &str) -> bool {
    scope.split(' ').any(|s| s == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_checked_and_ordered() {
        assert_eq!(parse("email openid").unwrap(), vec!["openid", "email"]);
        assert!(parse("profile").is_err());
        assert!(parse("openid admin").unwrap_err().contains("admin"));
        assert_eq!(
            needs_consent("openid email offline_access", ""),
            vec!["offline_access"]
        );
        assert!(needs_consent("openid email offline_access", "offline_access").is_empty());
    }
}
