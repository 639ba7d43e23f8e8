//! The five `place.stream.server.*` webhook methods.

use crate::api::caller::Call;
use crate::lexicon::place::stream::server::{
    create_webhook, delete_webhook, get_webhook, list_webhooks, update_webhook,
};
use crate::state::AppState;
use crate::store::WebhookPatch;
use crate::target_url;
use crate::xrpc::XrpcError;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use placehook_lexrt::Validate;

type XrpcResult<T> = Result<Json<T>, XrpcError>;

/// `place.stream.server.createWebhook`
pub async fn create(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> XrpcResult<create_webhook::Output> {
    let Call { input, caller, .. }: Call<create_webhook::Input> = s
        .procedure(
            &headers,
            body,
            create_webhook::NSID,
            create_webhook::validate_input,
        )
        .await?;
    let target = checked_target(&s, &input.url, |m| {
        create_webhook::Error::InvalidUrl(Some(m))
    })
    .await?;
    let webhook = s
        .store
        .create_webhook(
            &caller.did,
            &input,
            &target.key,
            s.config.max_webhooks_per_owner,
        )
        .await
        .map_err(|e| limit_message(e.into(), s.config.max_webhooks_per_owner))?;
    s.interests.mark_stale();
    Ok(Json(output(create_webhook::Output {
        webhook,
        type_: None,
        extra: Default::default(),
    })))
}

/// `place.stream.server.getWebhook`
pub async fn get(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> XrpcResult<get_webhook::Output> {
    let (params, caller): (get_webhook::Params, _) = s
        .query(
            &headers,
            q.as_deref(),
            get_webhook::NSID,
            get_webhook::PARAMS,
            get_webhook::validate_params,
        )
        .await?;
    let webhook = s
        .store
        .get_webhook(&caller.did, &params.id)
        .await?
        .ok_or_else(XrpcError::webhook_not_found)?;
    Ok(Json(output(get_webhook::Output {
        webhook,
        type_: None,
        extra: Default::default(),
    })))
}

/// `place.stream.server.listWebhooks`
///
/// Answers with the store's serialised page (built from the generated output type), which
/// it keeps until the owner's webhooks change.
pub async fn list(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<axum::response::Response, XrpcError> {
    let (params, caller): (list_webhooks::Params, _) = s
        .query(
            &headers,
            q.as_deref(),
            list_webhooks::NSID,
            list_webhooks::PARAMS,
            list_webhooks::validate_params,
        )
        .await?;
    // Validation bounds `limit` to 1..=100.
    let limit = u32::try_from(params.limit).unwrap_or(50);
    let page = s
        .store
        .list_webhooks_json(
            &caller.did,
            limit,
            params.cursor.as_deref(),
            params.active,
            params.event.map(|e| e.as_str()),
        )
        .await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        page.to_string(),
    )
        .into_response())
}

/// `place.stream.server.updateWebhook`
pub async fn update(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> XrpcResult<update_webhook::Output> {
    let Call { input, raw, caller }: Call<update_webhook::Input> = s
        .procedure(
            &headers,
            body,
            update_webhook::NSID,
            update_webhook::validate_input,
        )
        .await?;
    let url_key = match &input.url {
        Some(url) => Some(
            checked_target(&s, url, |m| update_webhook::Error::InvalidUrl(Some(m)))
                .await?
                .key,
        ),
        None => None,
    };
    let patch = WebhookPatch::from_update_input(&input, &raw);
    let webhook = s
        .store
        .update_webhook(&caller.did, &input.id, &patch, url_key.as_deref())
        .await?;
    s.interests.mark_stale();
    Ok(Json(output(update_webhook::Output {
        webhook,
        type_: None,
        extra: Default::default(),
    })))
}

/// `place.stream.server.deleteWebhook`
pub async fn delete(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> XrpcResult<delete_webhook::Output> {
    let Call { input, caller, .. }: Call<delete_webhook::Input> = s
        .procedure(
            &headers,
            body,
            delete_webhook::NSID,
            delete_webhook::validate_input,
        )
        .await?;
    if !s.store.delete_webhook(&caller.did, &input.id).await? {
        return Err(XrpcError::webhook_not_found());
    }
    s.interests.mark_stale();
    Ok(Json(delete_webhook::Output {
        success: true,
        type_: None,
        extra: Default::default(),
    }))
}

/// Parse and vet a target URL; failures are the method's declared `InvalidUrl`.
async fn checked_target<E: DeclaredError>(
    s: &AppState,
    url: &str,
    invalid: impl Fn(String) -> E,
) -> Result<target_url::Target, XrpcError> {
    let target = target_url::parse(url).map_err(|m| invalid(m).into_xrpc())?;
    target_url::check_public(&target.url, s.config.allow_private_targets)
        .await
        .map_err(|m| invalid(m).into_xrpc())?;
    Ok(target)
}

/// Say what the limit is, so clients can tell the user.
fn limit_message(e: XrpcError, limit: u32) -> XrpcError {
    if e.error == "TooManyWebhooks" {
        XrpcError {
            message: format!("this account has reached its limit of {limit} webhooks"),
            ..e
        }
    } else {
        e
    }
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

/// A method's generated error enum, turned into a response with a fitting status.
pub trait DeclaredError {
    /// The response for this error.
    fn into_xrpc(self) -> XrpcError;
}

macro_rules! declared {
    ($($m:ident),*) => {$(
        impl DeclaredError for $m::Error {
            fn into_xrpc(self) -> XrpcError {
                let status = match self.name() {
                    "WebhookNotFound" => StatusCode::NOT_FOUND,
                    "Unauthorized" => StatusCode::FORBIDDEN,
                    _ => StatusCode::BAD_REQUEST,
                };
                let message = self.message().unwrap_or(self.name()).to_string();
                XrpcError::declared(status, self.name(), message)
            }
        }
    )*};
}
declared!(
    create_webhook,
    update_webhook,
    get_webhook,
    delete_webhook,
    list_webhooks
);
