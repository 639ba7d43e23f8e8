//! The auth side of the test harness: the fake PLC directory / did:web host and its
//! accounts come from the DID tests ([`crate::did::tests::fake_host`]); this adds a
//! verifier over it and token minting.

use serde_json::Value;

use crate::auth::testing;
use crate::auth::ServiceAuthVerifier;
use crate::did::tests::fake_host::Account;
pub use crate::did::tests::fake_host::FakeHost;

/// Our service DID in tests.
pub const SERVICE_DID: &str = "did:web:hooks.placehook.test";
/// The method called in tests.
pub const LXM: &str = "place.stream.server.createWebhook";

impl FakeHost {
    /// A verifier for [`SERVICE_DID`] resolving DIDs on this host.
    pub fn verifier(&self) -> ServiceAuthVerifier {
        ServiceAuthVerifier::new(SERVICE_DID.to_string(), self.resolver())
    }
}

impl Account {
    /// A valid token for `LXM` addressed to `SERVICE_DID`.
    pub fn token(&self) -> String {
        self.token_with(|_| {})
    }

    /// A token whose standard claims are edited by `edit` before signing.
    pub fn token_with(&self, edit: impl FnOnce(&mut Value)) -> String {
        let mut claims = testing::service_claims(&self.did, SERVICE_DID, LXM, 60);
        edit(&mut claims);
        testing::mint_jwt(self.key.alg(), &self.key, &claims)
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
