//! The five `place.stream.server.*` webhook methods.

use crate::api::caller::Account;
use crate::api::wire;
use crate::lexicon::place::stream::server::create_webhook::{self, CreateWebhook};
use crate::lexicon::place::stream::server::delete_webhook::{self, DeleteWebhook};
use crate::lexicon::place::stream::server::get_webhook::{self, GetWebhook};
use crate::lexicon::place::stream::server::list_webhooks;
use crate::lexicon::place::stream::server::list_webhooks::ListWebhooks;
use crate::lexicon::place::stream::server::update_webhook::{self, UpdateWebhook};
use crate::state::AppState;
use crate::store::StoreError;
use crate::target_url;
use crate::xrpc::{Reply, ServedMethod, Xrpc, XrpcError};
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use placehook_lexrt::Validate;

impl ServedMethod for CreateWebhook {
    type Access = Account;
}

/// `place.stream.server.createWebhook`
pub async fn create(
    State(s): State<AppState>,
    Xrpc { input, caller, .. }: Xrpc<CreateWebhook>,
) -> Reply<CreateWebhook> {
    let target = checked_target(&s, &input.url, |m| {
        create_webhook::Error::InvalidUrl(Some(m))
    })
    .await?;
    let limit = s.config.max_webhooks_per_owner;
    let webhook = s
        .store
        .create_webhook(&caller.did, &wire::settings(&input), &target.key, limit)
        .await
        .map_err(|e| match e {
            // Say what the limit is, so clients can tell the user.
            StoreError::TooManyWebhooks => {
                XrpcError::from(create_webhook::Error::TooManyWebhooks(Some(format!(
                    "this account has reached its limit of {limit} webhooks"
                ))))
            }
            other => other.into(),
        })?;
    Ok(Json(output(create_webhook::Output::new(wire::webhook(
        webhook,
    )))))
}

impl ServedMethod for GetWebhook {
    type Access = Account;
}

/// `place.stream.server.getWebhook`
pub async fn get(
    State(s): State<AppState>,
    Xrpc { params, caller, .. }: Xrpc<GetWebhook>,
) -> Reply<GetWebhook> {
    let webhook = s
        .store
        .get_webhook(&caller.did, &params.id)
        .await?
        .ok_or(StoreError::WebhookNotFound)?;
    Ok(Json(output(get_webhook::Output::new(wire::webhook(
        webhook,
    )))))
}

impl ServedMethod for ListWebhooks {
    type Access = Account;
}

/// `place.stream.server.listWebhooks`
///
/// Answers with the store's serialised page (built from the generated output type), which
/// it keeps until the owner's webhooks change.
pub async fn list(
    State(s): State<AppState>,
    Xrpc { params, caller, .. }: Xrpc<ListWebhooks>,
) -> Result<axum::response::Response, XrpcError> {
    // Validation bounds `limit` to 1..=100.
    let limit = u32::try_from(params.limit).unwrap_or(50);
    let page = s
        .store
        .list_webhooks_page(
            &caller.did,
            limit,
            params.cursor.as_deref(),
            params.active,
            params.event.map(|e| e.as_str()),
            list_answer,
        )
        .await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        page.to_string(),
    )
        .into_response())
}

/// A page of webhooks as the `listWebhooks` answer's JSON.
pub fn list_answer(
    webhooks: Vec<crate::model::Webhook>,
    cursor: Option<String>,
) -> Result<String, StoreError> {
    let out = list_webhooks::Output {
        cursor,
        ..list_webhooks::Output::new(webhooks.into_iter().map(wire::webhook).collect())
    };
    serde_json::to_string(&output(out)).map_err(crate::store::decode_error)
}

impl ServedMethod for UpdateWebhook {
    type Access = Account;
}

/// `place.stream.server.updateWebhook`
pub async fn update(
    State(s): State<AppState>,
    Xrpc {
        input, raw, caller, ..
    }: Xrpc<UpdateWebhook>,
) -> Reply<UpdateWebhook> {
    let url_key = match &input.url {
        Some(url) => Some(
            checked_target(&s, url, |m| update_webhook::Error::InvalidUrl(Some(m)))
                .await?
                .key,
        ),
        None => None,
    };
    let patch = wire::patch(&input, &raw);
    let webhook = s
        .store
        .update_webhook(&caller.did, &input.id, &patch, url_key.as_deref())
        .await?;
    Ok(Json(output(update_webhook::Output::new(wire::webhook(
        webhook,
    )))))
}

impl ServedMethod for DeleteWebhook {
    type Access = Account;
}

/// `place.stream.server.deleteWebhook`
pub async fn delete(
    State(s): State<AppState>,
    Xrpc { input, caller, .. }: Xrpc<DeleteWebhook>,
) -> Reply<DeleteWebhook> {
    if !s.store.delete_webhook(&caller.did, &input.id).await? {
        return Err(StoreError::WebhookNotFound.into());
    }
    Ok(Json(delete_webhook::Output::new(true)))
}

/// Parse and vet a target URL; failures are the method's declared `InvalidUrl`.
async fn checked_target<E: Into<XrpcError>>(
    s: &AppState,
    url: &str,
    invalid: impl Fn(String) -> E,
) -> Result<target_url::Target, XrpcError> {
    let target = target_url::parse(url).map_err(|m| invalid(m).into())?;
    target_url::check_public(&target.url, s.config.allow_private_targets)
        .await
        .map_err(|m| invalid(m).into())?;
    Ok(target)
}

/// Outputs are built from generated types; in debug builds, check they would pass the
/// same validation clients apply.
fn output<T: Validate>(out: T) -> T {
    debug_assert!(
        out.validate().is_ok(),
        "output fails its lexicon: {:?}",
        out.validate()
    );
    out
}
