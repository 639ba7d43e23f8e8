//! A deadline on reading a request body: a client that announces more than it sends, or
//! trickles it, gets 408 instead of holding a handler (and its connection) forever.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// The error a body gives once its deadline has passed.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
pub struct BodyReadTimeout(pub Duration);

/// Give the request's body `timeout`, counted from now (its head has just been read), to
/// arrive whole. A body known to be empty is left alone.
pub fn with_body_deadline(req: Request, timeout: Duration) -> Request {
    if req.body().is_end_stream() {
        return req;
    }
    req.map(|inner| {
        Body::new(DeadlineBody {
            inner,
            timeout,
            deadline: Instant::now() + timeout,
            sleep: None,
            expired: false,
        })
    })
}

/// The [`BodyReadTimeout`] that `e` is or wraps, if any.
pub fn timed_out<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a BodyReadTimeout> {
    let mut cur = Some(e);
    while let Some(e) = cur {
        if let Some(t) = e.downcast_ref::<BodyReadTimeout>() {
            return Some(t);
        }
        cur = e.source();
    }
    None
}

struct DeadlineBody {
    inner: Body,
    timeout: Duration,
    deadline: Instant,
    /// Made on the first wait, so a body that is already there costs no timer.
    sleep: Option<Pin<Box<Sleep>>>,
    expired: bool,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if this.expired {
            return Poll::Ready(None);
        }
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        let deadline = this.deadline;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        this.expired = true;
        tracing::debug!(timeout = ?this.timeout, "request body read timeout");
        Poll::Ready(Some(Err(axum::Error::new(BodyReadTimeout(this.timeout)))))
    }

    fn is_end_stream(&self) -> bool {
        self.expired || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
