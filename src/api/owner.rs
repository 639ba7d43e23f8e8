//! Owner methods in placehook's namespace: secrets, the delivery log, redelivery, test
//! sends. Owner isolation as for the webhook methods: a foreign id is a missing id.

use super::samples::sample_event;
use crate::api::caller::Call;
use crate::events::EventKind;
use crate::lexicon::dev::placehook::{list_deliveries, redeliver, rotate_secret, test_webhook};
use crate::state::AppState;
use crate::store::StoreError;
use crate::xrpc::XrpcError;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;

type XrpcResult<T> = Result<Json<T>, XrpcError>;

/// `dev.placehook.rotateSecret`
pub async fn rotate(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> XrpcResult<rotate_secret::Output> {
    let Call { input, caller, .. }: Call<rotate_secret::Input> = s
        .procedure(
            &headers,
            body,
            rotate_secret::NSID,
            rotate_secret::validate_input,
        )
        .await?;
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
        secret,
        created_at: crate::store::format_datetime(now),
        previous_expires_at: previous,
        type_: None,
        extra: Default::default(),
    }))
}

/// `dev.placehook.listDeliveries`
pub async fn list(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> XrpcResult<list_deliveries::Output> {
    let (p, caller): (list_deliveries::Params, _) = s
        .query(
            &headers,
            q.as_deref(),
            list_deliveries::NSID,
            list_deliveries::PARAMS,
            list_deliveries::validate_params,
        )
        .await?;
    let limit = u32::try_from(p.limit).unwrap_or(50);
    let status = p.status.as_ref().map(|st| st.as_str());
    let (deliveries, cursor) = s
        .store
        .list_deliveries(&caller.did, &p.id, limit, p.cursor.as_deref(), status)
        .await?;
    Ok(Json(list_deliveries::Output {
        deliveries,
        cursor,
        type_: None,
        extra: Default::default(),
    }))
}

/// `dev.placehook.redeliver`
pub async fn redeliver(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> XrpcResult<redeliver::Output> {
    let Call { input, caller, .. }: Call<redeliver::Input> = s
        .procedure(&headers, body, redeliver::NSID, redeliver::validate_input)
        .await?;
    match s
        .store
        .redeliver(&caller.did, &input.id, s.clock.now_ms())
        .await?
    {
        None => Err(XrpcError::declared(
            StatusCode::NOT_FOUND,
            "DeliveryNotFound",
            "delivery not found",
        )),
        Some(false) => Err(XrpcError::declared(
            StatusCode::BAD_REQUEST,
            "DeliveryInProgress",
            "the delivery is still pending or being sent",
        )),
        Some(true) => {
            let delivery = s
                .store
                .get_delivery(&caller.did, &input.id)
                .await?
                .ok_or(StoreError::WebhookNotFound)?;
            s.dispatcher.notify(&[&delivery.webhook_id]);
            Ok(Json(redeliver::Output {
                delivery,
                type_: None,
                extra: Default::default(),
            }))
        }
    }
}

/// `dev.placehook.testWebhook`
pub async fn test(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> XrpcResult<test_webhook::Output> {
    let Call { input, caller, .. }: Call<test_webhook::Input> = s
        .procedure(
            &headers,
            body,
            test_webhook::NSID,
            test_webhook::validate_input,
        )
        .await?;
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
    Ok(Json(test_webhook::Output {
        delivery,
        type_: None,
        extra: Default::default(),
    }))
}
