//! [`IdentityConfig`]: where profiles come from and how long they are kept.

use std::time::Duration;

use url::Url;

/// The public Bluesky AppView (no auth needed for `app.bsky.actor.getProfile`).
pub const DEFAULT_APPVIEW_URL: &str = "https://public.api.bsky.app";

/// Settings for [`IdentityResolver`](super::IdentityResolver).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityConfig {
    /// Base URL of the AppView answering `app.bsky.actor.getProfile` (for avatars).
    /// Default [`DEFAULT_APPVIEW_URL`].
    pub appview_url: Url,
    /// How long a profile whose look-ups all got an answer is kept. Default 10 minutes.
    pub ttl: Duration,
    /// How long a profile is kept when some look-up failed (DID not found, timeout,
    /// network error, 5xx), so that it is retried soon. Default 1 minute.
    pub negative_ttl: Duration,
    /// Time limit of each look-up (DID document, AppView profile, chat profile record);
    /// also the HTTP client's request and connect timeout. Default 1.5 s.
    pub timeout: Duration,
    /// Most profiles kept; the oldest are dropped beyond it. Default 10 000; 0 disables
    /// caching.
    pub max_entries: usize,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            appview_url: Url::parse(DEFAULT_APPVIEW_URL).expect("default AppView URL is valid"),
            ttl: Duration::from_secs(10 * 60),
            negative_ttl: Duration::from_secs(60),
            timeout: Duration::from_millis(1500),
            max_entries: 10_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_sensible() {
        let c = IdentityConfig::default();
        assert_eq!(c.appview_url.as_str(), "https://public.api.bsky.app/");
        assert!(c.negative_ttl < c.ttl);
        // Within the dispatcher's 2 s budget for a profile.
        assert!(c.timeout < Duration::from_secs(2));
        assert!(c.max_entries > 0);
    }
}
