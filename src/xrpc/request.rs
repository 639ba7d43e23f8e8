//! Decoding XRPC params and bodies, validated with the generated lexicon validation.
//!
//! Order matches the reference XRPC server: params, then input, then authentication, so
//! a malformed request is a 400 whoever sends it.

use super::XrpcError;
use axum::body::Body;
use axum::http::{header, HeaderMap};
use http_body_util::BodyExt;
use placehook_lexrt::{self as rt, ParamKind, VResult};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decode, validate and type a query string against a method's parameters.
pub fn decode_params<T: DeserializeOwned>(
    query: Option<&str>,
    kinds: &[(&str, ParamKind)],
    validate: fn(&Value) -> VResult,
) -> Result<T, XrpcError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let value = rt::params_from_pairs(&pairs, kinds)?;
    validate(&value)?;
    serde_json::from_value(value).map_err(|e| XrpcError::invalid_request(format!("params: {e}")))
}

/// Read, validate and type a JSON body declared as `encoding` (`application/json`: the
/// only one this service's methods take). Returns the raw value too (partial updates need
/// to know which fields were present).
pub async fn decode_input<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    encoding: &str,
    validate: fn(&Value) -> VResult,
) -> Result<(T, Value), XrpcError> {
    check_content_type(headers, encoding)?;
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if len > limit as u64 {
            return Err(XrpcError::payload_too_large(limit));
        }
    }
    let bytes = http_body_util::Limited::new(body, limit)
        .collect()
        .await
        .map_err(|e| {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                XrpcError::payload_too_large(limit)
            } else if let Some(t) = super::deadline::timed_out(&*e) {
                XrpcError::body_timeout(t.0)
            } else {
                XrpcError::invalid_request("could not read the request body")
            }
        })?
        .to_bytes();
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| XrpcError::invalid_request(format!("body is not valid JSON: {e}")))?;
    validate(&value)?;
    let typed = serde_json::from_value(value.clone())
        .map_err(|e| XrpcError::invalid_request(format!("input: {e}")))?;
    Ok((typed, value))
}

/// The body must be sent as the lexicon's `encoding`; a charset parameter is fine.
fn check_content_type(headers: &HeaderMap, encoding: &str) -> Result<(), XrpcError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ct.split(';').next().unwrap_or("").trim();
    if mime.eq_ignore_ascii_case(encoding) {
        Ok(())
    } else if ct.is_empty() {
        Err(XrpcError::invalid_request(format!(
            "missing Content-Type: this method takes {encoding}"
        )))
    } else {
        Err(XrpcError::invalid_request(format!(
            "wrong Content-Type {ct:?}: this method takes {encoding}"
        )))
    }
}
