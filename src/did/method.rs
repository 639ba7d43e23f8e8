//! Which URL holds a DID's document: `did:plc` from the PLC directory,
//! `did:web` from `https://<host>/.well-known/did.json`.

use std::net::IpAddr;

use url::Url;

use super::syntax::{is_valid_did, PLC_PREFIX, WEB_PREFIX};
use super::DidError;

/// Where a DID's document lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocLocation {
    pub url: Url,
}

/// Why a DID is not one placehook can act for: its syntax, or a method it cannot
/// resolve. The same rules decide which DIDs service auth accepts ([`locate`]), which
/// `placehook token create --did` accepts and which `dev.placehook.pushEvent` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadDid {
    /// Not `did:<lowercase method>:<id>` (atproto's DID syntax).
    #[error("is not a DID (did:<method>:<id>)")]
    Syntax,
    /// A `did:plc` whose id is not 24 base32 characters.
    #[error("is not a valid did:plc (did:plc: then 24 characters from a-z and 2-7)")]
    Plc,
    /// A `did:web` whose id is not a host name with an optional `%3A<port>`.
    #[error("is not a valid did:web (did:web: then a host name, optionally %3A and a port)")]
    Web,
    /// A `did:web` with a path (`did:web:host:path`), which atproto excludes.
    #[error("is a did:web with a path, which atproto does not support")]
    WebPath,
    /// A method other than `did:plc` and `did:web`.
    #[error("uses a DID method placehook cannot resolve (only did:plc and did:web)")]
    Method,
}

/// Check that `did` is a DID placehook can resolve: `did:plc:<24 base32 chars>` or
/// `did:web:<host>[%3A<port>]`. Whether a did:web host may be an IP address depends
/// on the resolver's settings, so that is left to [`locate`].
pub fn check_did(did: &str) -> Result<(), BadDid> {
    if !is_valid_did(did) {
        return Err(BadDid::Syntax);
    }
    if let Some(id) = did.strip_prefix(PLC_PREFIX) {
        let ok = id.len() == 24 && id.bytes().all(|b| matches!(b, b'a'..=b'z' | b'2'..=b'7'));
        return if ok { Ok(()) } else { Err(BadDid::Plc) };
    }
    if let Some(id) = did.strip_prefix(WEB_PREFIX) {
        return web_authority(id).map(|_| ());
    }
    Err(BadDid::Method)
}

/// The `host[:port]` a did:web names, its port separator decoded
/// (`did:web:localhost%3A8080` -> `localhost:8080`); [`BadDid::Method`] for any other
/// DID method.
pub fn did_web_authority(did: &str) -> Result<String, BadDid> {
    check_did(did)?;
    let id = did.strip_prefix(WEB_PREFIX).ok_or(BadDid::Method)?;
    web_authority(id)
}

/// A did:web id's `host[:port]` (the only percent-encoding allowed is the port
/// separator).
fn web_authority(id: &str) -> Result<String, BadDid> {
    if id.contains(':') {
        return Err(BadDid::WebPath);
    }
    let authority = id.replace("%3A", ":").replace("%3a", ":");
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority.as_str(), None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    if !host_ok || !port_ok {
        return Err(BadDid::Web);
    }
    Ok(authority)
}

/// Compute the document URL for `did`.
///
/// * `did:plc:<24 base32 chars>` → `<plc_url>/<did>`.
/// * `did:web:<host>` (optionally `%3A<port>`) → `https://<host>/.well-known/did.json`.
///   did:web with paths (`did:web:host:path`) is rejected, as atproto requires.
///   Hosts that are IP literals are rejected, except loopback addresses when
///   `insecure_loopback` is set; with it, loopback hosts (`localhost`,
///   `127.0.0.0/8`) are fetched over plain `http` (see
///   [`super::DidResolverConfig::allow_insecure_did_web_loopback`]).
pub(crate) fn locate(
    did: &str,
    plc_url: &Url,
    insecure_loopback: bool,
) -> Result<DocLocation, DidError> {
    match check_did(did) {
        Ok(()) => {}
        Err(BadDid::Syntax | BadDid::Plc | BadDid::Web) => {
            return Err(DidError::InvalidDid(did.to_string()))
        }
        Err(BadDid::WebPath) => {
            return Err(DidError::UnsupportedMethod(format!(
                "{did} (did:web with a path is not supported by atproto)"
            )))
        }
        Err(BadDid::Method) => return Err(DidError::UnsupportedMethod(did.to_string())),
    }
    if did.starts_with(PLC_PREFIX) {
        let mut url = plc_url.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .map_err(|_| DidError::InvalidDid(did.to_string()))?
            .pop_if_empty()
            .push(did);
        return Ok(DocLocation { url });
    }
    let id = &did[WEB_PREFIX.len()..];
    let authority = web_authority(id).map_err(|_| DidError::InvalidDid(did.to_string()))?;
    locate_web(did, &authority, insecure_loopback)
}

fn locate_web(
    did: &str,
    authority: &str,
    insecure_loopback: bool,
) -> Result<DocLocation, DidError> {
    let host = authority.split(':').next().unwrap_or_default();
    let ip: Option<IpAddr> = host.parse().ok();
    let loopback = host.eq_ignore_ascii_case("localhost") || ip.is_some_and(|ip| ip.is_loopback());
    if ip.is_some() && !(loopback && insecure_loopback) {
        return Err(DidError::UnsupportedMethod(format!(
            "{did} (did:web hosts must be domain names)"
        )));
    }
    let scheme = if loopback && insecure_loopback {
        "http"
    } else {
        "https"
    };
    let url = Url::parse(&format!("{scheme}://{authority}/.well-known/did.json"))
        .map_err(|_| DidError::InvalidDid(did.to_string()))?;
    Ok(DocLocation { url })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_did_accepts_what_service_auth_resolves() {
        for ok in [
            "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
            "did:web:example.com",
            "did:web:localhost%3A8080",
            "did:web:127.0.0.1",
        ] {
            assert_eq!(check_did(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("did:plc:yourdidhere0000000000000", BadDid::Plc),
            ("did:plc:UPPERUPPERUPPERUPPERUPPE", BadDid::Plc),
            ("did:plc:ewvi7nxzyoun6zhxrhs64oi", BadDid::Plc),
            ("did:plc:ewvi7nxzyoun6zhxrhs64oiz1", BadDid::Plc),
            ("did:web:exa_mple.com", BadDid::Web),
            ("did:web:example.com%3A", BadDid::Web),
            ("did:web:example.com:user", BadDid::WebPath),
            ("did:key:z6Mkabc", BadDid::Method),
            ("did:PLC:ewvi7nxzyoun6zhxrhs64oiz", BadDid::Syntax),
            ("not-a-did", BadDid::Syntax),
            ("", BadDid::Syntax),
        ] {
            assert_eq!(check_did(bad), Err(why), "{bad}");
        }
    }

    #[test]
    fn did_web_authority_decodes_the_port() {
        assert_eq!(
            did_web_authority("did:web:localhost%3A48502").as_deref(),
            Ok("localhost:48502")
        );
        assert_eq!(
            did_web_authority("did:web:hooks.example%3a8443").as_deref(),
            Ok("hooks.example:8443")
        );
        assert_eq!(
            did_web_authority("did:web:hooks.example").as_deref(),
            Ok("hooks.example")
        );
        assert_eq!(
            did_web_authority("did:plc:ewvi7nxzyoun6zhxrhs64oiz"),
            Err(BadDid::Method)
        );
        assert_eq!(
            did_web_authority("did:web:hooks.example:path"),
            Err(BadDid::WebPath)
        );
    }
}
