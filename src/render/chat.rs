//! `chat`: a new `place.stream.chat.message` in the subject's chat.

use super::text::{anti_ping, Transforms};
use super::{at_handle, record, DiscordPayload, RenderError, Rendered};
use crate::events::Event;
use crate::lexicon::place::stream::chat::message::{self, Main as ChatMessage};
use crate::model::WebhookSettings;
use crate::profile::Profile;

/// The username every message gets in Streamplace format.
pub(super) const STREAMPLACE_USERNAME: &str = "[Streamplace]";

/// Streamplace's chat order: affix, format, anti-ping the whole content, then the
/// owner's rewrites (last, so an owner can undo anti-ping on purpose); mute words are
/// checked on the raw message text.
pub(super) fn render(
    event: &Event,
    webhook: &WebhookSettings,
    author: &Profile,
) -> Result<Rendered, RenderError> {
    let msg: ChatMessage = record(event, message::NSID)?;
    let t = Transforms::of(webhook);
    if t.is_muted(&msg.text) {
        return Ok(Rendered::Muted);
    }
    let content = t.affix(&msg.text);
    let (username, avatar_url, content) = if webhook.streamplace_format {
        let inline = format!("**{}**: {content}", at_handle(author));
        (STREAMPLACE_USERNAME.to_owned(), None, inline)
    } else {
        (at_handle(author), author.avatar.clone(), content)
    };
    Ok(Rendered::Send(DiscordPayload {
        username: Some(username),
        avatar_url,
        content: t.rewrite(&anti_ping(&content))?,
        embeds: Vec::new(),
    }))
}
