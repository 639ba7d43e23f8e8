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
    if !is_valid_did(did) {
        return Err(DidError::InvalidDid(did.to_string()));
    }
    if let Some(id) = did.strip_prefix(PLC_PREFIX) {
        let ok = id.len() == 24 && id.bytes().all(|b| matches!(b, b'a'..=b'z' | b'2'..=b'7'));
        if !ok {
            return Err(DidError::InvalidDid(did.to_string()));
        }
        let mut url = plc_url.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .map_err(|_| DidError::InvalidDid(did.to_string()))?
            .pop_if_empty()
            .push(did);
        return Ok(DocLocation { url });
    }
    if let Some(id) = did.strip_prefix(WEB_PREFIX) {
        return locate_web(did, id, insecure_loopback);
    }
    Err(DidError::UnsupportedMethod(did.to_string()))
}

fn locate_web(did: &str, id: &str, insecure_loopback: bool) -> Result<DocLocation, DidError> {
    let invalid = || DidError::InvalidDid(did.to_string());
    if id.contains(':') {
        return Err(DidError::UnsupportedMethod(format!(
            "{did} (did:web with a path is not supported by atproto)"
        )));
    }
    // The only percent-encoding allowed is the port separator.
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
        return Err(invalid());
    }
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
        .map_err(|_| invalid())?;
    Ok(DocLocation { url })
}
