//! The HTTP side of profile look-ups: the client, XRPC URLs, and bounded JSON GETs that
//! tell a definite "not there" apart from a failure.

use reqwest::header::ACCEPT;
use reqwest::StatusCode;
use serde_json::Value;
use url::Url;

use super::IdentityConfig;

/// Largest response body read (real profiles and records are a few KiB).
const MAX_BODY_BYTES: usize = 256 * 1024;

/// Build the HTTP client for profile look-ups: `config.timeout` as request and connect
/// timeout, no redirects, `User-Agent: placehook/<version>`.
pub fn http_client(config: &IdentityConfig) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(config.timeout)
        .connect_timeout(config.timeout)
        // A redirect could lead anywhere; neither an AppView nor a PDS needs one.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("placehook/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// `<base>/xrpc/<nsid>?<query>`, or `None` unless `base` is an http(s) URL.
///
/// This is the whole SSRF policy for look-ups: a PDS URL comes from a DID document, which
/// its owner controls, so only http(s) is fetched (never `file:` or other schemes), with
/// no redirects and a bounded body. Addresses are not vetted further: PDS hosts are public
/// by nature (they must be reachable by relays and AppViews to federate at all), answers
/// are only parsed for a colour and never echoed, and tests need loopback PDSes.
pub(crate) fn xrpc_url(base: &Url, nsid: &str, query: &[(&str, &str)]) -> Option<Url> {
    if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
        return None;
    }
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .ok()?
        .pop_if_empty()
        .push("xrpc")
        .push(nsid);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Some(url)
}

/// What a GET answered.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reply {
    /// 2xx with a JSON body.
    Json(Value),
    /// A definite client-error answer (4xx other than 408 and 429): the thing asked for
    /// does not exist here (e.g. XRPC `RecordNotFound`, an unknown actor).
    Absent,
}

/// GET `url` expecting JSON. `Err` (with a reason) for anything that says nothing about
/// the data: network errors, timeouts, 5xx, 408/429, other statuses, oversized or
/// unparseable bodies.
pub(crate) async fn get_json(client: &reqwest::Client, url: Url) -> Result<Reply, String> {
    let mut response = client
        .get(url)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| error_chain(&e))?;
    let status = response.status();
    if status.is_client_error()
        && status != StatusCode::REQUEST_TIMEOUT
        && status != StatusCode::TOO_MANY_REQUESTS
    {
        return Ok(Reply::Absent);
    }
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(format!("body larger than {MAX_BODY_BYTES} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| error_chain(&e))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(format!("body larger than {MAX_BODY_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body)
        .map(Reply::Json)
        .map_err(|e| format!("invalid JSON: {e}"))
}

/// An error with its `source()` chain (reqwest's top-level message rarely says what failed).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn xrpc_url_appends_the_method_and_query() {
        let q = [("actor", "did:plc:abc"), ("x", "a&b")];
        for base in ["https://pds.example", "https://pds.example/"] {
            assert_eq!(
                xrpc_url(&url(base), "app.bsky.actor.getProfile", &q)
                    .unwrap()
                    .as_str(),
                "https://pds.example/xrpc/app.bsky.actor.getProfile?actor=did%3Aplc%3Aabc&x=a%26b"
            );
        }
        assert_eq!(
            xrpc_url(&url("http://127.0.0.1:8/base/?q=1#f"), "a.b.c", &[])
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8/base/xrpc/a.b.c"
        );
    }

    #[test]
    fn xrpc_url_only_accepts_http_and_https() {
        for base in [
            "file:///etc/passwd",
            "ftp://pds.example",
            "data:text/plain,x",
        ] {
            assert_eq!(xrpc_url(&url(base), "a.b.c", &[]), None, "{base}");
        }
    }

    #[test]
    fn the_client_builds() {
        assert!(http_client(&IdentityConfig::default()).is_ok());
    }
}
