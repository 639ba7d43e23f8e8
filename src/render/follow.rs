//! `follow`: someone followed the subject. Streamplace never delivers it; our line is
//! in the spirit of its livestream format.

use super::text::Transforms;
use super::{at_handle, DiscordPayload, RenderError, Rendered};
use crate::model::WebhookSettings;
use crate::profile::Profile;

/// `@<handle> followed you`, rewritten, then affixed. `author` is the follower. The
/// follow record adds nothing to show, so it is not read. No anti-ping: the only
/// foreign text is a handle, which cannot contain `@` or `<`.
pub(super) fn render(webhook: &WebhookSettings, author: &Profile) -> Result<Rendered, RenderError> {
    let t = Transforms::of(webhook);
    let handle = at_handle(author);
    let line = t.rewrite(&format!("{handle} followed you"))?;
    Ok(Rendered::Send(DiscordPayload {
        username: Some(handle),
        avatar_url: author.avatar.clone(),
        content: t.affix(&line),
        embeds: Vec::new(),
    }))
}
