//! Where a live driver may send a call: the starting URL's origin (scheme,
//! host and port, a default port the same as none) and the origins the user
//! allows with `--allow-host`. Every URL a driver requests, whether it comes
//! from the start, an HTTP redirect, a `<Redirect>` or a gather's `action`,
//! passes through [`Origins::permits`] before a byte is sent, so a call never
//! carries a caller's form fields anywhere the user did not name.

use url::{Origin, Url};

/// A `--allow-host` value that names no origin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--allow-host `{given}` is not HOST, HOST:PORT or an http(s) origin such as https://HOST:PORT: {reason}")]
pub struct BadAllowedOrigin {
    pub given: String,
    pub reason: String,
}

/// The origins a call may go to.
#[derive(Debug, Clone)]
pub(crate) struct Origins {
    start: Origin,
    allowed: Vec<Origin>,
}

impl Origins {
    /// The start's origin and the allowed ones. An allowed value without a
    /// scheme takes the start's; one without a port, its scheme's default,
    /// so `--allow-host pay.example` allows `https://pay.example` (port
    /// 443) for an https start and nothing else on that host.
    pub(crate) fn new(start: &Url, allowed: &[String]) -> Result<Origins, BadAllowedOrigin> {
        let allowed = allowed
            .iter()
            .map(|given| allowed_origin(start, given))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Origins {
            start: start.origin(),
            allowed,
        })
    }

    /// Whether a request may go to `url`.
    pub(crate) fn permits(&self, url: &Url) -> bool {
        let origin = url.origin();
        origin.is_tuple() && (origin == self.start || self.allowed.contains(&origin))
    }

    /// The start's origin as a person writes it: `http://127.0.0.1:8080`.
    pub(crate) fn start(&self) -> String {
        self.start.ascii_serialization()
    }
}

/// What to pass to `--allow-host` to allow `url`: its host, with the port
/// when it is not the default, and the scheme when it differs from the
/// start's.
pub(crate) fn allow_host_value(start: &Url, url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let host_port = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    if url.scheme() == start.scheme() {
        host_port
    } else {
        format!("{}://{host_port}", url.scheme())
    }
}

fn allowed_origin(start: &Url, given: &str) -> Result<Origin, BadAllowedOrigin> {
    let bad = |reason: &str| BadAllowedOrigin {
        given: given.to_string(),
        reason: reason.to_string(),
    };
    let text = given.trim();
    let url = if text.contains("://") {
        Url::parse(text)
    } else {
        Url::parse(&format!("{}://{text}", start.scheme()))
    }
    .map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("only http and https are called"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    // A path, query or user would suggest that only part of the origin is
    // allowed, which the check cannot honour: refuse rather than widen.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("it has a user name or password"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(bad(
            "it has a path; an origin is a scheme, a host and a port",
        ));
    }
    Ok(url.origin())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn origins(start: &str, allowed: &[&str]) -> Origins {
        let allowed: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
        Origins::new(&url(start), &allowed).unwrap()
    }

    #[test]
    fn the_origin_is_scheme_host_and_port_with_default_ports_normalised() {
        let only_start = origins("http://ivr.test/voice", &[]);
        assert!(only_start.permits(&url("http://ivr.test/menu?x=1")));
        assert!(only_start.permits(&url("http://IVR.test:80/menu")));
        assert!(!only_start.permits(&url("http://ivr.test:8080/menu")));
        assert!(!only_start.permits(&url("https://ivr.test/menu")));
        assert!(!only_start.permits(&url("http://other.test/menu")));
        assert!(!only_start.permits(&url("file:///etc/passwd")));

        let with_port = origins("https://ivr.test:8443/voice", &[]);
        assert!(with_port.permits(&url("https://ivr.test:8443/a")));
        assert!(!with_port.permits(&url("https://ivr.test/a")));
        assert_eq!(with_port.start(), "https://ivr.test:8443");
        assert!(origins("https://ivr.test/voice", &[]).permits(&url("https://ivr.test:443/a")));
    }

    #[test]
    fn an_allowed_host_takes_the_start_scheme_and_its_default_port_unless_given() {
        let allowed = origins(
            "http://ivr.test/voice",
            &["pay.test", "media.test:8080", "https://secure.test"],
        );
        assert!(allowed.permits(&url("http://pay.test/x")));
        assert!(!allowed.permits(&url("http://pay.test:81/x")));
        assert!(!allowed.permits(&url("https://pay.test/x")));
        assert!(allowed.permits(&url("http://media.test:8080/x")));
        assert!(!allowed.permits(&url("http://media.test/x")));
        assert!(allowed.permits(&url("https://secure.test:443/x")));
        assert!(!allowed.permits(&url("http://secure.test/x")));
    }

    #[test]
    fn an_allowed_value_that_is_not_an_origin_is_refused() {
        let start = url("http://ivr.test/voice");
        for given in [
            "pay.test/path",
            "ftp://pay.test",
            "user@pay.test",
            "",
            "http://",
        ] {
            let refused = Origins::new(&start, &[given.to_string()]);
            assert!(refused.is_err(), "{given:?} was accepted");
        }
    }

    #[test]
    fn the_value_to_allow_names_the_port_and_a_different_scheme() {
        let start = url("http://ivr.test/voice");
        assert_eq!(
            allow_host_value(&start, &url("http://ivr.test:9090/x")),
            "ivr.test:9090"
        );
        assert_eq!(
            allow_host_value(&start, &url("https://pay.test/x")),
            "https://pay.test"
        );
    }
}
