//! The API edge: the service's records to and from the lexicon's wire types
//! (`place.stream.server.defs#webhook`, the create / update inputs,
//! `dev.placehook.defs#delivery`).

use crate::clock::from_ms;
use crate::events::EventKind;
use crate::lexicon::dev::placehook::defs::{Attempt, Delivery, DeliveryStatus, EventType};
use crate::lexicon::place::stream::server::defs::{self, RewriteRule, WebhookEventsItem};
use crate::lexicon::place::stream::server::{create_webhook, update_webhook};
use crate::model::{DeliveryRecord, Rewrite, Webhook, WebhookPatch, WebhookSettings};
use crate::store::format_datetime;

/// Every event enum the lexicons generate shares the defs names; one a kind lacks (none
/// today) is dropped.
fn kinds<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<EventKind> {
    let mut out: Vec<EventKind> = Vec::new();
    for kind in names.into_iter().filter_map(EventKind::parse) {
        if !out.contains(&kind) {
            out.push(kind);
        }
    }
    out
}

fn rules(rules: &[RewriteRule]) -> Vec<Rewrite> {
    rules
        .iter()
        .map(|r| Rewrite {
            from: r.from.clone(),
            to: r.to.clone(),
        })
        .collect()
}

/// What a `createWebhook` input sets.
pub fn settings(input: &create_webhook::Input) -> WebhookSettings {
    let mut settings = WebhookSettings {
        url: input.url.clone(),
        events: kinds(input.events.iter().map(|e| e.as_str())),
        active: input.active,
        streamplace_format: input.streamplace_format,
        prefix: input.prefix.clone(),
        suffix: input.suffix.clone(),
        rewrite: input.rewrite.as_deref().map(rules).unwrap_or_default(),
        name: input.name.clone(),
        description: input.description.clone(),
        mute_words: input.mute_words.clone().unwrap_or_default(),
    };
    settings.normalise();
    settings
}

/// The patch an `updateWebhook` body asks for. `body` is the raw JSON the input was
/// decoded from: the generated input fills an omitted `streamplaceFormat` with its
/// lexicon default (`false`), so only the raw body tells "omitted" from "false".
pub fn patch(input: &update_webhook::Input, body: &serde_json::Value) -> WebhookPatch {
    WebhookPatch {
        url: input.url.clone(),
        events: input
            .events
            .as_ref()
            .map(|e| kinds(e.iter().map(|e| e.as_str()))),
        active: input.active,
        streamplace_format: body
            .get("streamplaceFormat")
            .map(|_| input.streamplace_format),
        prefix: input.prefix.clone(),
        suffix: input.suffix.clone(),
        rewrite: input.rewrite.as_deref().map(rules),
        name: input.name.clone(),
        description: input.description.clone(),
        mute_words: input.mute_words.clone(),
    }
}

/// A webhook as the lexicon shows it. Why placehook switched it off goes beside the
/// lexicon's fields (`disabledReason`, `disabledAt`): clients keep unknown fields, and
/// Streamplace clients ignore them.
pub fn webhook(w: Webhook) -> defs::Webhook {
    let s = w.settings;
    let mut out = defs::Webhook::new(
        w.id,
        s.url,
        s.events
            .iter()
            .map(|e| e.webhook_event())
            .collect::<Vec<WebhookEventsItem>>(),
        s.active,
        w.created_at,
    );
    out.streamplace_format = s.streamplace_format;
    out.prefix = s.prefix;
    out.suffix = s.suffix;
    out.rewrite = (!s.rewrite.is_empty()).then(|| {
        s.rewrite
            .into_iter()
            .map(|r| RewriteRule::new(r.from, r.to))
            .collect()
    });
    out.updated_at = w.updated_at;
    out.name = s.name;
    out.description = s.description;
    out.last_triggered = w.last_triggered;
    out.error_count = Some(w.error_count);
    out.mute_words = (!s.mute_words.is_empty()).then_some(s.mute_words);
    if let Some(off) = w.disabled {
        out.extra.insert("disabledReason".into(), off.reason.into());
        if let Some(at) = off.at {
            out.extra.insert("disabledAt".into(), at.into());
        }
    }
    out
}

/// A delivery with its attempts, as the lexicon shows it.
pub fn delivery(d: DeliveryRecord) -> Delivery {
    let attempts = d
        .attempts
        .into_iter()
        .map(|a| Attempt {
            status_code: a.status_code,
            error: a.error,
            response_body: a.response_body,
            ..Attempt::new(a.number, a.started_at, a.duration_ms, a.success)
        })
        .collect();
    Delivery {
        next_attempt_at: d.next_attempt_ms.map(|ms| format_datetime(from_ms(ms))),
        last_error: d.last_error,
        completed_at: d.completed_at,
        ..Delivery::new(
            d.id,
            d.webhook_id,
            d.event_id,
            EventType::from(d.event_kind.as_str()),
            DeliveryStatus::from(d.state.as_str()),
            d.attempt_count,
            d.created_at,
            attempts,
        )
    }
}
