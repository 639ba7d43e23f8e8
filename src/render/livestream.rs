//! `livestream`: the subject went live (a new `place.stream.livestream` record).

use super::text::Transforms;
use super::{at_handle, record, DiscordPayload, Embed, EmbedImage, RenderError, Rendered};
use crate::events::Event;
use crate::lexicon::place::stream::livestream::{self, Main as Livestream};
use crate::model::WebhookSettings;
use crate::profile::Profile;
use url::Url;

/// The embed colour when the author has set none (Streamplace pink).
pub(super) const DEFAULT_COLOR: u32 = 0xf8baca;

/// Streamplace's format: `prefix + rewrite("🔴 LIVE " + title) + suffix`, without
/// anti-ping (a suffix ` @everyone` is meant to ping), and one embed linking the stream.
pub(super) fn render(
    event: &Event,
    webhook: &WebhookSettings,
    author: &Profile,
) -> Result<Rendered, RenderError> {
    let stream: Livestream = record(event, livestream::NSID)?;
    let t = Transforms::of(webhook);
    let handle = at_handle(author);
    let line = t.rewrite(&format!("🔴 LIVE {}", stream.title))?;
    let url = stream.url.as_deref().and_then(usable_url);
    let title = match url.as_ref().and_then(Url::host_str) {
        Some(host) => format!("{handle} is LIVE on {host}!"),
        None => format!("{handle} is LIVE!"),
    };
    let image = match (&stream.thumb, author.pds.as_deref()) {
        (Some(thumb), Some(pds)) => blob_url(pds, thumb.cid(), &author.did),
        _ => None,
    };
    let embed = Embed {
        title,
        // The record's own text, not the parsed form, so Discord links exactly it.
        url: url.and(stream.url),
        color: Some(author.color.unwrap_or(DEFAULT_COLOR)),
        image: image.map(|url| EmbedImage { url }),
    };
    Ok(Rendered::Send(DiscordPayload {
        username: Some(handle),
        avatar_url: author.avatar.clone(),
        content: t.affix(&line),
        embeds: vec![embed],
    }))
}

/// `raw` if Discord can link it: an absolute http(s) URL with a host.
fn usable_url(raw: &str) -> Option<Url> {
    let url = Url::parse(raw).ok()?;
    let web = matches!(url.scheme(), "http" | "https");
    (web && url.host_str().is_some_and(|h| !h.is_empty())).then_some(url)
}

/// `<pds>/xrpc/com.atproto.sync.getBlob?cid=<cid>&did=<did>`, query values URL-encoded;
/// `None` when the PDS is not a usable http(s) URL.
fn blob_url(pds: &str, cid: &str, did: &str) -> Option<String> {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("cid", cid)
        .append_pair("did", did)
        .finish();
    let full = format!(
        "{}/xrpc/com.atproto.sync.getBlob?{query}",
        pds.trim_end_matches('/')
    );
    usable_url(&full).map(|_| full)
}
