//! `stream.received`: a trusted node reports that it receives the subject's stream.

use super::text::Transforms;
use super::{DiscordPayload, RenderError, Rendered};
use crate::events::Event;
use crate::model::WebhookSettings;

/// `prefix + rewrite("stream.received " + streamer DID) + suffix`, with no username or
/// avatar (Streamplace's format).
pub(super) fn render(event: &Event, webhook: &WebhookSettings) -> Result<Rendered, RenderError> {
    let t = Transforms::of(webhook);
    let line = t.rewrite(&format!("stream.received {}", event.subject))?;
    Ok(Rendered::Send(DiscordPayload {
        content: t.affix(&line),
        ..DiscordPayload::default()
    }))
}
