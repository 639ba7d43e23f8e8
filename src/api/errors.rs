//! The HTTP status of every error a served method's lexicon declares, chosen by variant.
//!
//! Declared errors are 400s, as the reference XRPC server sends them, except where this
//! service means "no such thing (of yours)", a 404, or "not yours", a 403. The match per
//! method is exhaustive: an error added to a lexicon does not compile until it has a
//! status here.

use crate::lexicon::dev::placehook::{
    describe_server, list_deliveries, push_event, redeliver, rotate_secret, test_webhook,
};
use crate::lexicon::place::stream::server::{
    create_webhook, delete_webhook, get_webhook, list_webhooks, update_webhook,
};
use crate::xrpc::DeclaredStatus;
use axum::http::StatusCode;

macro_rules! statuses {
    ($($method:ident { $($variant:ident: $status:ident),* $(,)? })*) => {$(
        impl DeclaredStatus for $method::Error {
            fn status(&self) -> StatusCode {
                match *self {
                    $(Self::$variant(_) => StatusCode::$status,)*
                }
            }
        }
    )*};
}

statuses! {
    create_webhook {
        InvalidUrl: BAD_REQUEST,
        DuplicateWebhook: BAD_REQUEST,
        TooManyWebhooks: BAD_REQUEST,
    }
    update_webhook {
        WebhookNotFound: NOT_FOUND,
        Unauthorized: FORBIDDEN,
        InvalidUrl: BAD_REQUEST,
        DuplicateWebhook: BAD_REQUEST,
    }
    get_webhook { WebhookNotFound: NOT_FOUND, Unauthorized: FORBIDDEN }
    delete_webhook { WebhookNotFound: NOT_FOUND, Unauthorized: FORBIDDEN }
    list_webhooks { InvalidCursor: BAD_REQUEST }
    list_deliveries { WebhookNotFound: NOT_FOUND, InvalidCursor: BAD_REQUEST }
    push_event { InvalidRecord: BAD_REQUEST }
    redeliver { DeliveryNotFound: NOT_FOUND, DeliveryInProgress: BAD_REQUEST }
    rotate_secret { WebhookNotFound: NOT_FOUND }
    test_webhook { WebhookNotFound: NOT_FOUND }
    describe_server {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xrpc::XrpcError;

    /// Every declared error of every served method, as its response: status, name, and
    /// the message (the name when there is none).
    #[test]
    fn every_declared_error_has_its_status() {
        fn all<E: DeclaredStatus>(
            from_name: fn(&str, Option<String>) -> Option<E>,
        ) -> Vec<(u16, String)> {
            E::NAMES
                .iter()
                .map(|n| {
                    let x = XrpcError::from(from_name(n, None).unwrap());
                    assert_eq!((x.error.as_ref(), x.message.as_str()), (*n, *n));
                    (x.status.as_u16(), x.error.into_owned())
                })
                .collect()
        }
        let got = [
            all(create_webhook::Error::from_name),
            all(update_webhook::Error::from_name),
            all(get_webhook::Error::from_name),
            all(delete_webhook::Error::from_name),
            all(list_webhooks::Error::from_name),
            all(list_deliveries::Error::from_name),
            all(push_event::Error::from_name),
            all(redeliver::Error::from_name),
            all(rotate_secret::Error::from_name),
            all(test_webhook::Error::from_name),
            all(describe_server::Error::from_name),
        ]
        .concat();
        let want = [
            (400, "InvalidUrl"),
            (400, "DuplicateWebhook"),
            (400, "TooManyWebhooks"),
            (404, "WebhookNotFound"),
            (403, "Unauthorized"),
            (400, "InvalidUrl"),
            (400, "DuplicateWebhook"),
            (404, "WebhookNotFound"),
            (403, "Unauthorized"),
            (404, "WebhookNotFound"),
            (403, "Unauthorized"),
            (400, "InvalidCursor"),
            (404, "WebhookNotFound"),
            (400, "InvalidCursor"),
            (400, "InvalidRecord"),
            (404, "DeliveryNotFound"),
            (400, "DeliveryInProgress"),
            (404, "WebhookNotFound"),
            (404, "WebhookNotFound"),
        ];
        let want: Vec<_> = want.iter().map(|(s, n)| (*s, n.to_string())).collect();
        assert_eq!(got, want);
    }
}
