//! Who sent an event, as far as a delivery needs to show it: handle, avatar, chat colour,
//! and the PDS that holds their blobs.
//!
//! A look-up must never block or fail a delivery, so a resolver always answers with a
//! [`Profile`], falling back to what is known (the DID) when the network does not help.

use futures_util::future::BoxFuture;
use futures_util::FutureExt;

/// The handle ATProto services report when a DID's handle does not verify.
const INVALID_HANDLE: &str = "handle.invalid";

/// The public face of an account, resolved from its DID document and public profile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    /// The account's DID.
    pub did: String,
    /// Its verified handle, when known.
    pub handle: Option<String>,
    /// URL of its avatar image, when it has one.
    pub avatar: Option<String>,
    /// Its `place.stream.chat.profile` colour as `0xRRGGBB`, when set.
    pub color: Option<u32>,
    /// Base URL of its PDS (the DID document's `#atproto_pds` endpoint), when known.
    pub pds: Option<String>,
}

impl Profile {
    /// The fallback: nothing known but the DID.
    pub fn did_only(did: impl Into<String>) -> Self {
        Profile {
            did: did.into(),
            ..Profile::default()
        }
    }

    /// The name to show: the handle, or the DID when there is no usable handle (none,
    /// empty, or `handle.invalid`).
    pub fn display_handle(&self) -> &str {
        match self.handle.as_deref() {
            Some(h) if !h.is_empty() && h != INVALID_HANDLE => h,
            _ => &self.did,
        }
    }
}

/// Turns a DID into a [`Profile`] for rendering.
///
/// Infallible by design: a slow or failed look-up yields a fallback profile (at least
/// [`Profile::did_only`]), never an error, so that a delivery is never held up by it.
pub trait ProfileResolver: Send + Sync {
    /// The profile of `did`, or a fallback.
    fn resolve<'a>(&'a self, did: &'a str) -> BoxFuture<'a, Profile>;

    /// Forget what is cached about `did` (its handle changed). Default: nothing cached.
    fn invalidate(&self, _did: &str) {}
}

/// A resolver that does no look-up at all: every profile is [`Profile::did_only`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DidOnlyResolver;

impl ProfileResolver for DidOnlyResolver {
    fn resolve<'a>(&'a self, did: &'a str) -> BoxFuture<'a, Profile> {
        futures_util::future::ready(Profile::did_only(did)).boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DID: &str = "did:plc:abcdefghijklmnopqrstuvwx";

    #[test]
    fn display_handle_prefers_the_handle() {
        let p = Profile {
            handle: Some("natalie.example".into()),
            ..Profile::did_only(DID)
        };
        assert_eq!(p.display_handle(), "natalie.example");
    }

    #[test]
    fn display_handle_falls_back_to_the_did() {
        assert_eq!(Profile::did_only(DID).display_handle(), DID);
        for unusable in ["", "handle.invalid"] {
            let p = Profile {
                handle: Some(unusable.into()),
                ..Profile::did_only(DID)
            };
            assert_eq!(p.display_handle(), DID, "{unusable:?}");
        }
    }

    #[test]
    fn did_only_resolver_answers_with_the_did_alone() {
        let p = DidOnlyResolver
            .resolve(DID)
            .now_or_never()
            .expect("ready at once");
        assert_eq!(p, Profile::did_only(DID));
        assert_eq!(
            (p.handle, p.avatar, p.color, p.pds),
            (None, None, None, None)
        );
    }

    #[test]
    fn resolvers_can_be_shared_as_trait_objects() {
        let r: std::sync::Arc<dyn ProfileResolver> = std::sync::Arc::new(DidOnlyResolver);
        let p = r.resolve(DID).now_or_never().expect("ready at once");
        assert_eq!(p.display_handle(), DID);
    }
}
