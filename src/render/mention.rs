//! `mention`: a chat message or a post whose facets mention the subject. Streamplace never
//! delivers it; ours is a short line like the other formats.

use super::text::{anti_ping, Transforms};
use super::{at_handle, record, DiscordPayload, RenderError, Rendered};
use crate::events::Event;
use crate::lexicon::app::bsky::feed::post::{self, Main as Post};
use crate::lexicon::place::stream::chat::message::{self, Main as ChatMessage};
use crate::model::WebhookSettings;
use crate::profile::Profile;

/// `@<handle> mentioned you: <text>`, anti-pinged (the text is someone else's), then
/// rewritten, then affixed. Mute words apply to the raw text.
pub(super) fn render(
    event: &Event,
    webhook: &WebhookSettings,
    author: &Profile,
) -> Result<Rendered, RenderError> {
    let text = mention_text(event)?;
    let t = Transforms::of(webhook);
    if t.is_muted(&text) {
        return Ok(Rendered::Muted);
    }
    let handle = at_handle(author);
    let line = anti_ping(&format!("{handle} mentioned you: {text}"));
    Ok(Rendered::Send(DiscordPayload {
        username: Some(handle),
        avatar_url: author.avatar.clone(),
        content: t.affix(&t.rewrite(&line)?),
        embeds: Vec::new(),
    }))
}

/// The mentioning text, from whichever record type (by `$type`) the event carries.
fn mention_text(event: &Event) -> Result<String, RenderError> {
    let type_ = event
        .record
        .as_ref()
        .and_then(|r| r.get("$type"))
        .and_then(|t| t.as_str());
    match type_ {
        Some(message::NSID) => Ok(record::<ChatMessage>(event, message::NSID)?.text),
        Some(post::NSID) => Ok(record::<Post>(event, post::NSID)?.text),
        _ if event.record.is_none() => Err(RenderError::MissingRecord {
            kind: event.kind.as_str(),
        }),
        other => Err(RenderError::UnsupportedRecordType {
            found: other.map(str::to_owned),
        }),
    }
}
