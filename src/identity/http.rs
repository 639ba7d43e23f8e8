//! The HTTP side of profile look-ups: the client, XRPC URLs, and bounded JSON GETs that
//! tell a definite "not there" apart from a failure.

use reqwest::header::ACCEPT;
use reqwest::StatusCode;
use serde_json::Value;
use url::Url;

use super::IdentityConfig;
use crate::lookup_http::{client_builder, error_chain, read_body, BodyError};

/// Largest response body read (real profiles and records are a few KiB).
const MAX_BODY_BYTES: usize = 256 * 1024;

/// Build the HTTP client for profile look-ups: `config.timeout` as request and connect
/// timeout, no redirects, `User-Agent: placehook/<version>`.
pub fn http_client(config: &IdentityConfig) -> reqwest::Result<reqwest::Client> {
    client_builder(config.timeout).build()
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
    let body = read_body(&mut response, MAX_BODY_BYTES)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge => format!("body larger than {MAX_BODY_BYTES} bytes"),
            BodyError::Read(reason) => reason,
        })?;
    serde_json::from_slice(&body)
        .map(Reply::Json)
        .map_err(|e| format!("invalid JSON: {e}"))
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
