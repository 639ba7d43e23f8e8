//! Rendering: an event, a webhook's settings and the author's profile become the body of
//! a Discord "execute webhook" request, following Streamplace's formats (see
//! `streamplace-webhooks.md`, "Text transforms: the exact order"). Pure functions only:
//! no I/O, no clock.

mod chat;
mod follow;
mod livestream;
mod mention;
mod received;
pub mod text;

#[cfg(test)]
mod tests;

use crate::events::{Event, EventKind};
use crate::model::WebhookSettings;
use crate::profile::Profile;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The JSON body of a Discord execute-webhook request; empty fields are omitted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DiscordPayload {
    /// Overrides the webhook's display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Overrides the webhook's avatar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// The message text (at most 2000 characters).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub content: String,
    /// Rich embeds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub embeds: Vec<Embed>,
}

/// A Discord embed, reduced to the fields placehook uses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Embed {
    /// The title line.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Where the title links to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The side bar colour, `0xRRGGBB`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<u32>,
    /// The large image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<EmbedImage>,
}

/// An embed's image.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EmbedImage {
    /// The image URL.
    pub url: String,
}

/// What to do for one (event, webhook) pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendered {
    /// POST this body.
    Send(DiscordPayload),
    /// Send nothing, and count that as a success: a mute word matched, or nothing would be
    /// left to send (Discord refuses an empty message with 400, which would otherwise count
    /// towards disabling the webhook).
    Muted,
}

/// Why an event cannot be rendered. Never retryable: the same input fails the same way.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The event kind needs a record and the event carries none.
    #[error("{kind} event has no record")]
    MissingRecord {
        /// The event kind's name.
        kind: &'static str,
    },
    /// The record does not fit its generated lexicon type.
    #[error("{collection} record does not deserialize: {error}")]
    InvalidRecord {
        /// The collection NSID it was read as.
        collection: &'static str,
        /// The decoding failure.
        error: serde_json::Error,
    },
    /// The webhook's rewrite rules would take more work than one rendering may.
    #[error(transparent)]
    RewriteTooCostly(#[from] text::RewriteTooCostly),
    /// A mention record that is neither a chat message nor a post.
    #[error("mention record has unsupported $type {found:?}")]
    UnsupportedRecordType {
        /// The record's `$type`, if it had one.
        found: Option<String>,
    },
}

/// Render `event` for `webhook`, with `author` the profile of the event's author (for
/// `stream.received`, which has no author, it is unused).
pub fn render(
    event: &Event,
    webhook: &WebhookSettings,
    author: &Profile,
) -> Result<Rendered, RenderError> {
    let rendered = match event.kind {
        EventKind::Chat => chat::render(event, webhook, author)?,
        EventKind::Livestream => livestream::render(event, webhook, author)?,
        EventKind::Follow => follow::render(webhook, author)?,
        EventKind::Mention => mention::render(event, webhook, author)?,
        EventKind::StreamReceived => received::render(event, webhook)?,
    };
    Ok(match rendered {
        Rendered::Send(payload) => fit_discord_limits(payload),
        Rendered::Muted => Rendered::Muted,
    })
}

/// Keep a payload within what Discord accepts: cut over-long fields, and send nothing
/// rather than an empty message.
fn fit_discord_limits(mut p: DiscordPayload) -> Rendered {
    p.content = text::truncate(p.content, text::CONTENT_MAX_CHARS);
    p.username = p
        .username
        .map(|u| text::truncate(u, text::USERNAME_MAX_CHARS));
    for e in &mut p.embeds {
        e.title = text::truncate(std::mem::take(&mut e.title), text::EMBED_TITLE_MAX_CHARS);
    }
    // Discord trims content; whitespace alone counts as empty.
    if p.content.trim().is_empty() && p.embeds.is_empty() {
        return Rendered::Muted;
    }
    Rendered::Send(p)
}

/// The sender's display name, `@<handle>`.
fn at_handle(author: &Profile) -> String {
    format!("@{}", author.display_handle())
}

/// The event's record, read as the generated type `T` of `collection`.
fn record<T: DeserializeOwned>(event: &Event, collection: &'static str) -> Result<T, RenderError> {
    let value = event.record.as_ref().ok_or(RenderError::MissingRecord {
        kind: event.kind.as_str(),
    })?;
    T::deserialize(value).map_err(|error| RenderError::InvalidRecord { collection, error })
}
