//! This service's own identity: its DID, the public URL it is reached at, and the DID
//! document `GET /.well-known/did.json` serves, which is how a user's PDS finds placehook
//! when a client asks it to proxy a call (`atproto-proxy: <service DID>#placehook`).

use serde_json::{json, Value};
use url::Url;

use crate::did::{did_web_authority, BadDid};

/// One service entry of placehook's DID document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceEntry {
    /// The id without its `#`: a client proxies to `<service DID>#<id>`, and a
    /// service-auth token may name it in `aud` (`<service DID>#<id>`).
    pub id: &'static str,
    /// The entry's `type`.
    pub kind: &'static str,
}

/// The entries placehook publishes, both pointing at its public URL. `#streamplace` is
/// the entry Streamplace nodes publish, so that clients written for a Streamplace node
/// can proxy their webhook calls to placehook unchanged.
pub const SERVICES: [ServiceEntry; 2] = [
    ServiceEntry {
        id: "placehook",
        kind: "PlacehookService",
    },
    ServiceEntry {
        id: "streamplace",
        kind: "StreamplaceServer",
    },
];

/// The service ids of [`SERVICES`], without `#`.
pub fn service_ids() -> impl Iterator<Item = &'static str> {
    SERVICES.iter().map(|s| s.id)
}

/// The service ids as the DID document writes them: `#placehook`, `#streamplace`.
pub fn service_fragments() -> Vec<String> {
    service_ids().map(|id| format!("#{id}")).collect()
}

/// The service DID, the public URL, and the DID document served for them, or why none is.
#[derive(Debug, Clone)]
pub struct ServiceIdentity {
    did: String,
    public_url: Url,
    document: Result<Value, String>,
}

impl ServiceIdentity {
    /// The identity of a service with DID `did` reached at `public_url`. The DID document
    /// is served only when `did` is a did:web of `public_url`'s host and port: a resolver
    /// fetches a did:web's document from that host, so any other document would be one
    /// no resolver asks for, or one placehook has no right to.
    pub fn new(did: &str, public_url: &Url) -> Self {
        let document = check_did_web_of(did, public_url).map(|()| document(did, public_url));
        ServiceIdentity {
            did: did.to_string(),
            public_url: public_url.clone(),
            document,
        }
    }

    /// The service DID (`--service-did`).
    pub fn did(&self) -> &str {
        &self.did
    }

    /// The URL placehook is reached at (`--public-url`, or derived from the listen address).
    pub fn public_url(&self) -> &Url {
        &self.public_url
    }

    /// The DID document to serve, if any.
    pub fn document(&self) -> Option<&Value> {
        self.document.as_ref().ok()
    }

    /// Why no DID document is served, if none is.
    pub fn unpublished_reason(&self) -> Option<&str> {
        self.document.as_ref().err().map(String::as_str)
    }
}

/// The DID document: one service entry per [`SERVICES`], at the public URL's origin. No
/// verification method: placehook signs nothing as itself.
fn document(did: &str, public_url: &Url) -> Value {
    let endpoint = public_url.origin().ascii_serialization();
    let services: Vec<Value> = SERVICES
        .iter()
        .map(|s| {
            json!({
                "id": format!("#{}", s.id),
                "type": s.kind,
                "serviceEndpoint": endpoint,
            })
        })
        .collect();
    json!({
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "service": services,
    })
}

/// `host[:port]` of a URL as a did:web writes it: the port only when it is not the
/// scheme's default.
fn url_authority(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// Whether `did` is a did:web of `url`'s host and port; otherwise a sentence saying why
/// not and what to set instead.
pub fn check_did_web_of(did: &str, url: &Url) -> Result<(), String> {
    let want = url_authority(url);
    let origin = url.origin().ascii_serialization();
    let own = format!("did:web:{}", want.replace(':', "%3A"));
    let authority = match did_web_authority(did) {
        Ok(authority) => authority,
        Err(BadDid::Method) => {
            return Err(format!(
                "the service DID {did} is not a did:web; the did:web of the public URL \
                 {origin} is {own}"
            ))
        }
        Err(why) => {
            return Err(format!(
                "the service DID {did} {why}; the did:web of the public URL {origin} is {own}"
            ))
        }
    };
    if authority.eq_ignore_ascii_case(&want) {
        return Ok(());
    }
    Err(format!(
        "the service DID {did} is a did:web of {authority}, but the public URL {origin} is at \
         {want}: set --public-url to the URL that reaches {authority}, or --service-did to {own}"
    ))
}

/// Check a `--public-url`: an http(s) origin, with no path, query, fragment or user.
/// Clients call `/xrpc/...` on it and resolvers fetch `/.well-known/did.json` from it,
/// both at the root, so a path could never be honoured.
pub fn check_public_url(url: &Url) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("--public-url {url} must be an http(s) URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("--public-url {url} has no host"));
    }
    let bare = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !bare {
        return Err(format!(
            "--public-url {url} must be only a scheme, host and port (no path, query, \
             fragment or user): XRPC and /.well-known are served at the root"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn a_did_web_of_the_public_host_and_port_matches() {
        for (did, public) in [
            ("did:web:localhost%3A48502", "http://localhost:48502"),
            ("did:web:localhost%3a48502", "http://localhost:48502/"),
            ("did:web:hooks.example", "https://hooks.example"),
            ("did:web:Hooks.Example", "https://hooks.example"),
            ("did:web:hooks.example%3A8443", "https://hooks.example:8443"),
            // The scheme's default port is not written in either.
            ("did:web:hooks.example", "https://hooks.example:443"),
            ("did:web:127.0.0.1%3A8080", "http://127.0.0.1:8080"),
        ] {
            assert_eq!(
                check_did_web_of(did, &url(public)),
                Ok(()),
                "{did} {public}"
            );
        }
    }

    #[test]
    fn other_dids_do_not_match_and_say_why() {
        let public = url("http://localhost:48502");
        for (did, says) in [
            ("did:web:localhost", "is a did:web of localhost, but"),
            (
                "did:web:localhost%3A48503",
                "is a did:web of localhost:48503",
            ),
            ("did:web:other.example%3A48502", "other.example:48502"),
            ("did:plc:ewvi7nxzyoun6zhxrhs64oiz", "is not a did:web"),
            ("did:web:localhost:48502", "with a path"),
        ] {
            let err = check_did_web_of(did, &public).unwrap_err();
            assert!(err.contains(says), "{did}: {err}");
            assert!(err.contains("did:web:localhost%3A48502"), "{did}: {err}");
        }
        // The port counts: a did:web without one is at the scheme's default port.
        assert!(check_did_web_of("did:web:localhost", &url("http://localhost:8080")).is_err());
    }

    #[test]
    fn the_document_names_both_services_at_the_origin() {
        let identity =
            ServiceIdentity::new("did:web:localhost%3A48502", &url("http://localhost:48502/"));
        assert_eq!(identity.unpublished_reason(), None);
        assert_eq!(
            identity.document().unwrap(),
            &json!({
                "@context": ["https://www.w3.org/ns/did/v1"],
                "id": "did:web:localhost%3A48502",
                "service": [
                    {"id": "#placehook", "type": "PlacehookService",
                     "serviceEndpoint": "http://localhost:48502"},
                    {"id": "#streamplace", "type": "StreamplaceServer",
                     "serviceEndpoint": "http://localhost:48502"},
                ],
            })
        );
        let other = ServiceIdentity::new("did:web:localhost", &url("http://127.0.0.1:8080"));
        assert!(other.document().is_none());
        assert!(other
            .unpublished_reason()
            .unwrap()
            .contains("127.0.0.1:8080"));
    }

    #[test]
    fn public_urls_are_bare_http_origins() {
        for ok in [
            "http://localhost:8080",
            "https://hooks.example/",
            "http://[::1]:8080",
        ] {
            assert_eq!(check_public_url(&url(ok)), Ok(()), "{ok}");
        }
        for (bad, says) in [
            ("ftp://hooks.example", "http(s)"),
            ("https://hooks.example/placehook", "no path"),
            ("https://hooks.example/?a=1", "no path"),
            ("https://hooks.example/#x", "no path"),
            ("https://user@hooks.example/", "no path"),
            ("unix:/run/placehook.sock", "http(s)"),
        ] {
            let err = check_public_url(&url(bad)).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
