//! A short, readable name for the browser and system a session came from ("Chrome 131",
//! "Linux"), read from its `User-Agent`. A small parser of our own: a person only needs to
//! tell their sessions apart, and a full user-agent database (with its yearly updates) would
//! be far more than that needs. The full user agent is shown beside it.

/// What a user agent says about the browser and the system, as far as it is recognisable.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Agent {
    /// The browser (or client) and its major version: "Firefox 133", "curl 8".
    pub browser: Option<String>,
    /// The operating system: "Windows", "macOS", "Android", "iOS", "Linux", "ChromeOS".
    pub os: Option<String>,
}

/// Browsers by the product token that names them, most specific first: Edge and Opera also
/// say "Chrome", Chrome also says "Safari", and Chrome on iOS says "CriOS".
const BROWSERS: &[(&str, &str)] = &[
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("YaBrowser/", "Yandex Browser"),
    ("Vivaldi/", "Vivaldi"),
    ("FxiOS/", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("HeadlessChrome/", "Headless Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("curl/", "curl"),
    ("Wget/", "Wget"),
    ("python-requests/", "Python requests"),
    ("okhttp/", "OkHttp"),
    ("PostmanRuntime/", "Postman"),
];

/// Systems by a marker in the user agent; Android and ChromeOS also say "Linux", iOS also
/// says "Mac OS X".
const SYSTEMS: &[(&str, &str)] = &[
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
];

pub fn parse(user_agent: &str) -> Agent {
    Agent {
        browser: browser(user_agent),
        os: SYSTEMS
            .iter()
            .find(|(marker, _)| user_agent.contains(marker))
            .map(|(_, name)| (*name).to_string()),
    }
}

fn browser(ua: &str) -> Option<String> {
    for (token, name) in BROWSERS {
        if let Some(at) = ua.find(token) {
            return Some(with_major(name, &ua[at + token.len()..]));
        }
    }
    // Safari names its version in `Version/`, and its "Safari/" number is the engine's.
    if ua.contains("Safari/") {
        return Some(match ua.find("Version/") {
            Some(at) => with_major("Safari", &ua[at + "Version/".len()..]),
            None => "Safari".to_string(),
        });
    }
    // Anything else: its first product token, if it has a readable name.
    let first = ua.split_whitespace().next()?;
    let (name, version) = first.split_once('/').unwrap_or((first, ""));
    let readable = !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    (readable && name != "Mozilla").then(|| with_major(name, version))
}

/// `name` and the major version at the start of `rest` ("131.0.6778.85" gives 131), if any.
fn with_major(name: &str, rest: &str) -> String {
    let major: String = rest
        .chars()
        .take_while(char::is_ascii_digit)
        .take(6)
        .collect();
    if major.is_empty() {
        name.to_string()
    } else {
        format!("{name} {major}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(ua: &str) -> (Option<String>, Option<String>) {
        let a = parse(ua);
        (a.browser, a.os)
    }

    fn some(b: &str, os: &str) -> (Option<String>, Option<String>) {
        (Some(b.into()), Some(os.into()))
    }

    #[test]
    fn common_browsers_get_their_name_major_version_and_system() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", some("Chrome 131", "Linux")),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86", some("Edge 131", "Windows")),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0", some("Firefox 133", "macOS")),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", some("Safari 18", "macOS")),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", some("Safari 18", "iOS")),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", some("Chrome 131", "iOS")),
            ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", some("Samsung Internet 26", "Android")),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0", some("Opera 115", "Linux")),
            ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", some("Chrome 131", "ChromeOS")),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36", some("Headless Chrome 131", "Linux")),
        ];
        for (ua, want) in cases {
            assert_eq!(both(ua), want, "{ua}");
        }
    }

    #[test]
    fn tools_and_unknown_agents_are_named_by_their_first_product() {
        assert_eq!(both("curl/8.5.0"), (Some("curl 8".into()), None));
        assert_eq!(both("reqwest/0.12"), (Some("reqwest 0".into()), None));
        assert_eq!(both("armario-test"), (Some("armario-test".into()), None));
        assert_eq!(both(""), (None, None));
        assert_eq!(both("Mozilla/5.0"), (None, None));
        assert_eq!(both("<script>/1"), (None, None));
    }
}
