//! Owner methods in placehook's namespace: secrets, the delivery log, redelivery, test
//! sends. Owner isolation as for the webhook methods: a foreign id is a missing id.

use super::samples::sample_event;
use crate::api::caller::Account;
use crate::api::wire;
use crate::events::EventKind;
use crate::lexicon::dev::placehook::list_deliveries::{self, ListDeliveries};
use crate::lexicon::dev::placehook::redeliver::{self, Redeliver};
use crate::lexicon::dev::placehook::rotate_secret::{self, RotateSecret};
use crate::lexicon::dev::placehook::test_webhook::{self, TestWebhook};
use crate::state::AppState;
use crate::store::StoreError;
use crate::xrpc::{Reply, ServedMethod, Xrpc};
use axum::extract::State;
use axum::Json;

impl ServedMethod for RotateSecret {
    type Access = Account;
}

/// `dev.placehook.rotateSecret`
pub async fn rotate(
    State(s): State<AppState>,
    Xrpc { input, caller, .. }: Xrpc<RotateSecret>,
) -> Reply<RotateSecret> {
    let secret = crate::signing::generate_secret();
    let now = s.clock.now();
    let previous = s
        .store
        .rotate_secret(
            &caller.did,
            &input.id,
            &secret,
            time::Duration::seconds(input.overlap_seconds),
            now,
        )
        .await?;
    Ok(Json(rotate_secret::Output {
        previous_expires_at: previous,
        ..rotate_secret::Output::new(secret, crate::store::format_datetime(now))
    }))
}

impl ServedMethod for ListDeliveries {
    type Access = Account;
}

/// `dev.placehook.listDeliveries`
pub async fn list(
    State(s): State<AppState>,
    Xrpc {
        params: p, caller, ..
    }: Xrpc<ListDeliveries>,
) -> Reply<ListDeliveries> {
    let limit = u32::try_from(p.limit).unwrap_or(50);
    let status = p.status.as_ref().map(|st| st.as_str());
    let (deliveries, cursor) = s
        .store
        .list_deliveries(&caller.did, &p.id, limit, p.cursor.as_deref(), status)
        .await?;
    Ok(Json(list_deliveries::Output {
        cursor,
        ..list_deliveries::Output::new(deliveries.into_iter().map(wire::delivery).collect())
    }))
}

impl ServedMethod for Redeliver {
    type Access = Account;
}

/// `dev.placehook.redeliver`
pub async fn redeliver(
    State(s): State<AppState>,
    Xrpc { input, caller, .. }: Xrpc<Redeliver>,
) -> Reply<Redeliver> {
    match s
        .store
        .redeliver(&caller.did, &input.id, s.clock.now_ms())
        .await?
    {
        None => Err(redeliver::Error::DeliveryNotFound(Some("delivery not found".into())).into()),
        Some(false) => Err(redeliver::Error::DeliveryInProgress(Some(
            "the delivery is still pending or being sent".into(),
        ))
        .into()),
        Some(true) => {
            let delivery = s
                .store
                .get_delivery(&caller.did, &input.id)
                .await?
                .ok_or(StoreError::WebhookNotFound)?;
            s.dispatcher.notify(&[&delivery.webhook_id]);
            Ok(Json(redeliver::Output::new(wire::delivery(delivery))))
        }
    }
}

impl ServedMethod for TestWebhook {
    type Access = Account;
}

/// `dev.placehook.testWebhook`
pub async fn test(
    State(s): State<AppState>,
    Xrpc { input, caller, .. }: Xrpc<TestWebhook>,
) -> Reply<TestWebhook> {
    let kind = input
        .r#type
        .as_ref()
        .and_then(|t| EventKind::parse(t.as_str()))
        .unwrap_or(EventKind::Chat);
    let now = s.clock.now();
    let event = sample_event(kind, &caller.did, now);
    let id = s
        .store
        .queue_test_delivery(&caller.did, &input.id, &event, now)
        .await?;
    s.dispatcher.notify(&[&input.id]);
    let delivery = s
        .store
        .get_delivery(&caller.did, &id)
        .await?
        .ok_or(StoreError::WebhookNotFound)?;
    Ok(Json(test_webhook::Output::new(wire::delivery(delivery))))
}
