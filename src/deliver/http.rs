//! The outbound HTTP client: bounded timeouts, no redirects, and an SSRF guard that
//! resolves the host itself and connects only to vetted public addresses (so a DNS
//! answer that changes between check and connect cannot reach a private network).

use crate::target_url::is_public;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::{Host, Url};

/// Bytes of a response body kept for the attempt log (and for Discord's `retry_after`).
const BODY_KEPT: usize = 1024;

/// Outbound request settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout (connect, send, response headers and the kept body).
    pub timeout: Duration,
    /// Let deliveries reach private, loopback and link-local addresses.
    pub allow_private: bool,
}

/// What came back from one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// `Retry-After`, or Discord's `retry_after` body field on a 429.
    pub retry_after: Option<Duration>,
    /// When Discord's bucket is empty (`X-RateLimit-Remaining: 0`), how long until it
    /// refills (`X-RateLimit-Reset-After`).
    pub pause: Option<Duration>,
    /// Start of the body.
    pub body: String,
    /// Time taken.
    pub elapsed: Duration,
}

/// Sends deliveries.
#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

/// A resolver that keeps only public addresses.
#[derive(Debug)]
struct VettedResolver;

impl Resolve for VettedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

impl Sender {
    /// Builds the client.
    pub fn new(config: &HttpConfig) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("placehook/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(90));
        if !config.allow_private {
            builder = builder.dns_resolver(Arc::new(VettedResolver));
        }
        Ok(Self {
            client: builder.build()?,
            allow_private: config.allow_private,
        })
    }

    /// POSTs `body` as JSON with `headers`. `Err` carries why no response came.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<Response, String> {
        let url = Url::parse(url).map_err(|e| format!("invalid url: {e}"))?;
        if !self.allow_private {
            // IP literals never reach the resolver.
            let literal = match url.host() {
                Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
                Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
                _ => None,
            };
            if literal.is_some_and(|ip| !is_public(ip)) {
                return Err("refused: the target address is not public".into());
            }
        }
        let mut req = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let started = Instant::now();
        let mut res = req.send().await.map_err(describe)?;
        let status = res.status().as_u16();
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let retry_after_header = header("retry-after").and_then(|v| parse_seconds(&v));
        let pause = match (
            header("x-ratelimit-remaining"),
            header("x-ratelimit-reset-after"),
        ) {
            (Some(rem), Some(reset)) if rem.trim() == "0" => parse_seconds(&reset),
            _ => None,
        };
        let mut kept = Vec::new();
        while kept.len() < BODY_KEPT {
            match res.chunk().await {
                Ok(Some(chunk)) => {
                    kept.extend_from_slice(&chunk[..chunk.len().min(BODY_KEPT - kept.len())])
                }
                Ok(None) => break,
                // The status is what counts; a body cut short is still a response.
                Err(_) => break,
            }
        }
        let body = String::from_utf8_lossy(&kept).into_owned();
        let retry_after = retry_after_header.or_else(|| {
            (status == 429)
                .then(|| discord_retry_after(&body))
                .flatten()
        });
        Ok(Response {
            status,
            retry_after,
            pause,
            body,
            elapsed: started.elapsed(),
        })
    }
}

/// Seconds as `Retry-After` / Discord send them: an integer or a decimal (HTTP dates are
/// not used by the receivers we target and are ignored).
fn parse_seconds(v: &str) -> Option<Duration> {
    let secs: f64 = v.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)))
}

/// Discord's 429 body: `{"retry_after": 1.5, ...}` (seconds).
fn discord_retry_after(body: &str) -> Option<Duration> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    parse_seconds(&v.get("retry_after")?.to_string())
}

fn describe(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut msg = kind.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg = format!("{msg}: {s}");
        source = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_waits_as_receivers_send_them() {
        assert_eq!(parse_seconds("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_seconds(" 1.5 "), Some(Duration::from_millis(1500)));
        assert_eq!(parse_seconds("-1"), None);
        assert_eq!(parse_seconds("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(
            discord_retry_after(
                r#"{"message":"You are being rate limited.","retry_after":0.25,"global":false}"#
            ),
            Some(Duration::from_millis(250))
        );
        assert_eq!(discord_retry_after("nope"), None);
    }
}
