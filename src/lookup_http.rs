//! What placehook's outbound look-ups share: DID documents ([`did`](crate::did)) and
//! profiles from AppViews and PDSes ([`identity`](crate::identity)). Their clients are
//! set up alike, their bodies are read within a limit, and their errors are reported with
//! every cause. (Webhook deliveries have their own client, in `deliver`.)

use std::time::Duration;

/// A client builder for look-ups: `timeout` as request and connect timeout, no
/// redirects, `User-Agent: placehook/<version>`.
///
/// No redirects: a redirect could lead anywhere, and a look-up never needs one
/// (`@atproto/identity` fails a DID look-up on one too, with `redirect: 'error'`); the
/// 3xx answer is then the caller's to judge.
pub(crate) fn client_builder(timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("placehook/", env!("CARGO_PKG_VERSION")))
}

/// Why a response body was not read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// It is larger than the limit (by its `Content-Length`, or found while reading).
    TooLarge,
    /// Reading it failed (with [`error_chain`]'s account of why).
    Read(String),
}

/// The body of `response`, at most `max_bytes` of it: refused without reading when its
/// `Content-Length` is larger, and as soon as more arrives.
pub(crate) async fn read_body(
    response: &mut reqwest::Response,
    max_bytes: usize,
) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|n| n > max_bytes as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| BodyError::Read(error_chain(&e)))?
    {
        if body.len() + chunk.len() > max_bytes {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error with its `source()` chain, since reqwest's top-level message rarely says
/// what failed.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
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

    #[derive(Debug)]
    struct Outer(std::io::Error);

    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("request failed")
        }
    }

    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn error_chain_names_every_cause() {
        let err = Outer(std::io::Error::other("connection refused"));
        assert_eq!(error_chain(&err), "request failed: connection refused");
    }

    #[test]
    fn the_builder_builds() {
        assert!(client_builder(Duration::from_secs(1)).build().is_ok());
    }
}
