//! Webhook target URLs: what `InvalidUrl` means, the normalised form duplicates are
//! judged on, and which addresses count as public (shared with the delivery SSRF guard).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;
use url::{Host, Url};

/// Longest target URL accepted, in bytes.
pub const MAX_URL_BYTES: usize = 2048;

/// A syntactically acceptable target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The parsed URL.
    pub url: Url,
    /// Normalised form for duplicate detection: scheme and host lowercased, default port
    /// and fragment dropped, empty path as `/`.
    pub key: String,
}

/// Parse a target URL: absolute `http`/`https` with a host, no credentials, bounded.
pub fn parse(raw: &str) -> Result<Target, String> {
    if raw.len() > MAX_URL_BYTES {
        return Err(format!("url is longer than {MAX_URL_BYTES} bytes"));
    }
    // The WHATWG parser repairs `https:///host`, `https:host` and `https:\\host` into
    // `https://host/`; a target must name its host plainly, as the lexicon `uri` format
    // and every other client read it.
    let after_scheme = raw.split_once(':').map_or("", |(_, rest)| rest);
    let authority = after_scheme.strip_prefix("//").unwrap_or("");
    if authority.is_empty() || authority.starts_with(['/', '\\']) {
        return Err("url must be absolute, written as scheme://host/...".into());
    }
    let mut url = Url::parse(raw).map_err(|e| format!("url is not a valid absolute URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("url must use http or https".into());
    }
    if url.host().is_none() || url.host_str() == Some("") {
        return Err("url must have a host".into());
    }
    if url.port() == Some(0) {
        return Err("url port must not be 0".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("url must not contain credentials".into());
    }
    url.set_fragment(None);
    let key = url.as_str().to_string();
    Ok(Target { url, key })
}

/// Refuse a target that is, or resolves only to, non-public addresses, unless the
/// operator allows private targets. Deliveries check again at connect time.
pub async fn check_public(url: &Url, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<IpAddr> = match url.host() {
        Some(Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(Host::Domain(name)) => {
            let lookup = tokio::net::lookup_host((name, port));
            match tokio::time::timeout(Duration::from_secs(3), lookup).await {
                Ok(Ok(it)) => it.map(|a| a.ip()).collect(),
                _ => return Err(format!("url host {name} could not be resolved")),
            }
        }
        None => return Err("url must have a host".into()),
    };
    if addrs.iter().any(|ip| is_public(*ip)) {
        Ok(())
    } else {
        Err("url points only to private, loopback, link-local or reserved addresses".into())
    }
}

/// Whether an address is publicly routable (not private, loopback, link-local,
/// shared, documentation, benchmarking, multicast, reserved or unspecified).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            if let Some(v4) = embedded_v4(v6) {
                return v4.iter().all(|ip| is_public_v4(*ip));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard 100::/64
                || v6 == Ipv6Addr::UNSPECIFIED
                || (s[..5] == [0, 0, 0, 0, 0] && s[5] == 0)) // IPv4-compatible ::a.b.c.d
        }
    }
}

/// The IPv4 addresses a v6 address carries to an IPv4 host: NAT64 (`64:ff9b::/96` and
/// the local-use `64:ff9b:1::/48`), 6to4 (`2002::/16`) and Teredo (`2001::/32`, its
/// server and its client, stored inverted). A target behind any of them is as public
/// as every IPv4 address it embeds.
fn embedded_v4(v6: Ipv6Addr) -> Option<Vec<Ipv4Addr>> {
    let s = v6.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || s[..3] == [0x64, 0xff9b, 1] {
        Some(vec![v4(s[6], s[7])])
    } else if s[0] == 0x2002 {
        Some(vec![v4(s[1], s[2])])
    } else if s[..2] == [0x2001, 0] {
        Some(vec![v4(s[2], s[3]), v4(!s[6], !s[7])])
    } else {
        None
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        let t = parse("HTTPS://Discord.COM:443/api/webhooks/1/abc#frag").unwrap();
        assert_eq!(t.key, "https://discord.com/api/webhooks/1/abc");
        assert_eq!(
            parse("http://example.com").unwrap().key,
            "http://example.com/"
        );
        for bad in [
            "ftp://example.com/x",
            "example.com/hook",
            "https://user:pass@example.com/",
            "https:///nohost",
            "https:nohost.example",
            "https:\\\\nohost.example",
            "https://",
            "mailto:a@b.c",
            "https://discord.com:0/",
            &format!("https://example.com/{}", "a".repeat(MAX_URL_BYTES)),
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn classifies_addresses() {
        for private in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "198.18.0.1",
            "240.0.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "64:ff9b::a00:1",
            "64:ff9b:1::7f00:1",
            "2001:db8::1",
            // 6to4 around 127.0.0.1 and 10.0.0.1.
            "2002:7f00:1::",
            "2002:a00:1::1",
            // Teredo: a public server, the client 127.0.0.1 (stored inverted).
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            // Teredo: a private server.
            "2001:0:a00:1:8000:63bf:f7f7:f7f7",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "1.1.1.1",
            "162.159.128.233",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "2002:808:808::1",
            "64:ff9b::808:808",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn private_targets_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:9/x",
            "http://[::1]/x",
            "http://169.254.169.254/",
            "http://localhost/",
        ] {
            let u = Url::parse(url).unwrap();
            assert!(check_public(&u, false).await.is_err(), "{url}");
            assert!(check_public(&u, true).await.is_ok(), "{url}");
        }
        assert!(check_public(&Url::parse("http://1.1.1.1/").unwrap(), false)
            .await
            .is_ok());
    }
}
