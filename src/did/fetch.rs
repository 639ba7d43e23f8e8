//! HTTP retrieval of DID documents: bounded body size, no redirects,
//! timeouts from the client.

use reqwest::header::ACCEPT;
use reqwest::StatusCode;
use url::Url;

use super::{DidDocument, DidError};
use crate::lookup_http::{client_builder, error_chain, read_body, BodyError};

/// Build the HTTP client used for DID resolution.
pub(crate) fn client(timeout: std::time::Duration) -> Result<reqwest::Client, DidError> {
    // Like upstream (`redirect: 'error'`), a redirect is a failed lookup: the builder
    // follows none, so a 3xx is an unexpected status below.
    client_builder(timeout)
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
    let body = read_body(&mut response, max_bytes)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge => DidError::TooLarge {
                did: did.to_string(),
                limit: max_bytes,
            },
            BodyError::Read(reason) => fetch_err(reason),
        })?;
    DidDocument::parse(did, &body).map_err(|e| DidError::Malformed {
        did: did.to_string(),
        reason: e.to_string(),
    })
}
