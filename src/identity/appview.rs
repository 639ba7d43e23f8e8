//! The avatar, from the AppView's `app.bsky.actor.getProfile`.

use serde_json::Value;
use url::Url;

use super::http::{get_json, xrpc_url, Reply};

/// The avatar URL of `did` per the AppView at `appview`: `Ok(None)` when it has none or
/// the AppView does not know the account; `Err` when the AppView did not answer usefully.
pub(crate) async fn fetch_avatar(
    client: &reqwest::Client,
    appview: &Url,
    did: &str,
) -> Result<Option<String>, String> {
    let url = xrpc_url(appview, "app.bsky.actor.getProfile", &[("actor", did)])
        .ok_or_else(|| format!("AppView URL {appview} is not http(s)"))?;
    match get_json(client, url).await? {
        Reply::Absent => Ok(None),
        Reply::Json(body) => Ok(avatar_of(&body, did)),
    }
}

/// The `avatar` of a `getProfile` answer, if it is about `did` and the avatar is an
/// http(s) URL (it ends up as a Discord `avatar_url`).
fn avatar_of(body: &Value, did: &str) -> Option<String> {
    if body.get("did").and_then(Value::as_str) != Some(did) {
        return None;
    }
    let avatar = body.get("avatar")?.as_str()?;
    let parsed = Url::parse(avatar).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| avatar.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DID: &str = "did:plc:abcdefghijklmnopqrstuvwx";
    const AVATAR: &str = "https://cdn.bsky.app/img/avatar/plain/did:plc:x/bafkrei@jpeg";

    #[test]
    fn reads_the_avatar() {
        let body = json!({"did": DID, "handle": "a.test", "avatar": AVATAR});
        assert_eq!(avatar_of(&body, DID).as_deref(), Some(AVATAR));
    }

    #[test]
    fn ignores_missing_foreign_or_odd_avatars() {
        for body in [
            json!({"did": DID, "handle": "a.test"}),
            json!({"did": "did:plc:someoneelse0000000000000", "avatar": AVATAR}),
            json!({"did": DID, "avatar": 7}),
            json!({"did": DID, "avatar": "javascript:alert(1)"}),
            json!({"did": DID, "avatar": "not a url"}),
            json!([]),
        ] {
            assert_eq!(avatar_of(&body, DID), None, "{body}");
        }
    }
}
