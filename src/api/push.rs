//! `dev.placehook.pushEvent`: events from trusted producers.

use crate::api::caller::Producer;
use crate::did::check_did;
use crate::events::{mentions, uri_dedupe_key, Event, EventKind};
use crate::lexicon::dev::placehook::push_event::{self, PushEvent};
use crate::state::AppState;
use crate::xrpc::{Reply, ServedMethod, Xrpc, XrpcError};
use axum::extract::State;
use axum::Json;
use placehook_lexrt::{Path, VResult};
use serde_json::Value;

impl ServedMethod for PushEvent {
    type Access = Producer;

    fn check_input(value: &Value) -> VResult {
        validate_input(value)
    }
}

/// `dev.placehook.pushEvent`
pub async fn push(
    State(s): State<AppState>,
    Xrpc { input, caller, .. }: Xrpc<PushEvent>,
) -> Reply<PushEvent> {
    let kind = EventKind::parse(input.r#type.as_str())
        .ok_or_else(|| XrpcError::invalid_request("$.type: unknown event type"))?;
    let event = to_event(kind, &input).map_err(|m| push_event::Error::InvalidRecord(Some(m)))?;
    let dedupe = match (&input.idempotency_key, &event.uri) {
        (Some(key), _) => Some(format!("key:{}:{key}", caller.did)),
        (None, Some(uri)) => Some(uri_dedupe_key(kind, &event.subject, uri)),
        (None, None) => None,
    };
    let accepted = s
        .store
        .accept_event(&event, dedupe.as_deref(), s.clock.now())
        .await?;
    if !accepted.duplicate {
        s.metrics.event_accepted(kind.as_str());
        s.dispatcher.notify(&accepted.webhooks);
    }
    Ok(Json(push_event::Output::new(
        accepted.event_id,
        accepted.webhooks.len() as i64,
        accepted.duplicate,
    )))
}

/// The lexicon's checks, then the DIDs the event names. `format: did` admits any DID
/// syntax; webhooks belong to accounts that service auth can resolve, so a subject or
/// author must pass the same [`check_did`] (`did:plc:UPPER` cannot own a webhook).
fn validate_input(v: &Value) -> VResult {
    push_event::validate_input(v)?;
    let root = Path::Root;
    for field in ["subject", "author"] {
        if let Some(did) = v.get(field).and_then(Value::as_str) {
            check_did(did).map_err(|e| root.key(field).error(format!("{did:?} {e}")))?;
        }
    }
    // The author of an event without one is the repo the record's uri names.
    if let Some(repo) = v.get("uri").and_then(Value::as_str).and_then(uri_did) {
        check_did(repo).map_err(|e| root.key("uri").error(format!("the repo {repo:?} {e}")))?;
    }
    Ok(())
}

/// The DID an `at://` uri names as its repo, if it names one (rather than a handle).
fn uri_did(uri: &str) -> Option<&str> {
    uri.strip_prefix("at://")
        .and_then(|rest| rest.split('/').next())
        .filter(|a| a.starts_with("did:"))
}

/// Checks the record against its lexicon and the event's meaning, and builds the event.
fn to_event(kind: EventKind, input: &push_event::Input) -> Result<Event, String> {
    let record = input.record.clone();
    let needs_record = matches!(
        kind,
        EventKind::Chat | EventKind::Livestream | EventKind::Mention
    );
    match (&record, needs_record) {
        (None, true) => {
            return Err(format!(
                "$.record: a {} event needs its record",
                kind.as_str()
            ))
        }
        (Some(_), false) if kind == EventKind::StreamReceived => {
            return Err("$.record: a stream.received event has no record".into())
        }
        _ => {}
    }
    if let Some(rec) = &record {
        let collection = rec.get("$type").and_then(Value::as_str).unwrap_or("");
        if !kind.collections().contains(&collection) {
            return Err(format!(
                "$.record.$type: a {} event carries a {} record, not {collection:?}",
                kind.as_str(),
                kind.collections().join(" or ")
            ));
        }
        match crate::lexicon::validate_record(collection, rec) {
            Some(Ok(())) => {}
            Some(Err(e)) => {
                return Err(format!(
                    "$.record{}: {}",
                    e.path.trim_start_matches('$'),
                    e.message
                ))
            }
            None => return Err(format!("$.record.$type: unknown collection {collection}")),
        }
        check_subject(kind, rec, &input.subject)?;
    }
    // The author is the record's repo when the uri names it.
    let author = input
        .author
        .clone()
        .or_else(|| input.uri.as_deref().and_then(uri_did).map(str::to_string));
    if kind == EventKind::Livestream && author.as_deref().is_some_and(|a| a != input.subject) {
        return Err("$.author: a livestream's subject is its author".into());
    }
    Ok(Event {
        kind,
        subject: input.subject.clone(),
        author,
        uri: input.uri.clone(),
        record,
    })
}

/// The subject must be who the record says fires: the chat's streamer, the followed
/// account, a mentioned account.
fn check_subject(kind: EventKind, rec: &Value, subject: &str) -> Result<(), String> {
    let ok = match kind {
        EventKind::Chat => rec.get("streamer").and_then(Value::as_str) == Some(subject),
        EventKind::Follow => rec.get("subject").and_then(Value::as_str) == Some(subject),
        EventKind::Mention => mentions(rec).any(|did| did == subject),
        EventKind::Livestream | EventKind::StreamReceived => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "$.subject: the record does not make {subject} the subject of a {} event",
            kind.as_str()
        ))
    }
}
