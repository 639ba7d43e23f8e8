//! HTTP retrieval of DID documents: bounded body size, no redirects,
//! timeouts from the client.

use reqwest::header::ACCEPT;
use reqwest::StatusCode;
use url::Url;

use super::{DidDocument, DidError};

/// Build the HTTP client used for DID resolution.
pub(crate) fn client(timeout: std::time::Duration) -> Result<reqwest::Client, DidError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        // Like upstream (`redirect: 'error'`): a redirect is a failed lookup.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("placehook/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| DidError::Client(error_chain(&e)))
}

/// GET `url` and parse the body as the DID document of `did`.
pub(crate) async fn fetch_document(
    client: &reqwest::Client,
    did: &str,
    url: &Url,
    max_bytes: usize,
) -> Result<DidDocument, DidError> {
    let fetch_err = |reason: String| DidError::Fetch {
        did: did.to_string(),
        reason,
    };
    let mut response = client
        .get(url.clone())
        .header(ACCEPT, "application/did+ld+json,application/json")
        .send()
        .await
        .map_err(|e| fetch_err(error_chain(&e)))?;
    let status = response.status();
    if status == StatusCode::NOT_FOUND || status == StatusCode::GONE {
        return Err(DidError::NotFound(did.to_string()));
    }
    if !status.is_success() {
        return Err(fetch_err(format!("{url} answered HTTP {status}")));
    }
    let too_large = || DidError::TooLarge {
        did: did.to_string(),
        limit: max_bytes,
    };
    if response
        .content_length()
        .is_some_and(|n| n > max_bytes as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| fetch_err(error_chain(&e)))?
    {
        if body.len() + chunk.len() > max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    DidDocument::parse(did, &body).map_err(|e| DidError::Malformed {
        did: did.to_string(),
        reason: e.to_string(),
    })
}

/// An error with its `source()` chain, since reqwest's top-level message
/// rarely says what failed.
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
