//! One uncached profile look-up: the DID document (then the chat profile record on the
//! PDS it names) and the AppView profile, concurrently, each part within its own timeout.

use std::future::Future;
use std::time::Duration;

use url::Url;

use super::appview::fetch_avatar;
use super::chat_color::fetch_color;
use super::IdentityConfig;
use crate::did::DidResolver;
use crate::profile::Profile;

/// What a look-up found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lookup {
    /// The profile, with whatever parts were found.
    pub profile: Profile,
    /// Whether every part got a definite answer (so the profile may be kept for the full
    /// TTL rather than the negative one).
    pub complete: bool,
}

/// `fut` within `limit`; a timeout is one more failure reason.
async fn within<T>(
    limit: Duration,
    fut: impl Future<Output = Result<T, String>>,
) -> Result<T, String> {
    tokio::time::timeout(limit, fut)
        .await
        .unwrap_or_else(|_| Err(format!("timed out after {limit:?}")))
}

/// Look up `did`'s profile. Never fails: a part that fails is left out (handle and PDS:
/// `None`, so the DID is shown; avatar: `None`; colour: `None`, the renderer's default).
///
/// The colour needs the PDS from the DID document, so that part is sequential (and may
/// take up to twice `config.timeout`); the AppView profile runs alongside both.
pub(crate) async fn look_up(
    dids: &DidResolver,
    client: &reqwest::Client,
    config: &IdentityConfig,
    did: &str,
) -> Lookup {
    let limit = config.timeout;
    let identity = async {
        let doc = within(limit, async {
            dids.resolve(did).await.map_err(|e| e.to_string())
        })
        .await
        .inspect_err(|reason| tracing::debug!(%did, %reason, "profile: no did document"))
        .ok()?;
        let handle = doc.handle().map(str::to_ascii_lowercase);
        let pds = doc.pds().map(str::to_string);
        let color = match pds.as_deref().and_then(|p| Url::parse(p).ok()) {
            // No PDS: no record to read, a definite answer.
            None => Ok(None),
            Some(pds) => within(limit, fetch_color(client, &pds, did)).await,
        };
        let color =
            color.inspect_err(|reason| tracing::debug!(%did, %reason, "profile: no chat colour"));
        Some((handle, pds, color))
    };
    let avatar = within(limit, fetch_avatar(client, &config.appview_url, did));
    let (identity, avatar) = tokio::join!(identity, avatar);
    let avatar = avatar.inspect_err(|reason| tracing::debug!(%did, %reason, "profile: no avatar"));

    let mut complete = avatar.is_ok();
    let mut profile = Profile {
        avatar: avatar.ok().flatten(),
        ..Profile::did_only(did)
    };
    match identity {
        Some((handle, pds, color)) => {
            complete &= color.is_ok();
            profile.handle = handle;
            profile.pds = pds;
            profile.color = color.ok().flatten();
        }
        None => complete = false,
    }
    Lookup { profile, complete }
}
