//! XRPC bodies for the answers hyper writes by itself.
//!
//! When a request head cannot be parsed (a bad request line, a character such as `<` in
//! the URL, a malformed header), is too long (URI over 64 KiB) or too large (headers over
//! hyper's buffer), hyper answers 400, 414 or 431 without ever calling the service, with an
//! empty body, and closes the connection. hyper has no hook for that answer, so this
//! wrapper around the connection's socket recognises it in the outgoing bytes and writes an
//! XRPC error body in its place.
//!
//! Recognising it is safe because of two facts: hyper's answer is always the last thing
//! written on the connection (it closes right after), and the service never answers 400,
//! 414 or 431 with an empty body (the router's `xrpc_error_bodies` layer gives every error
//! a JSON body). The connection must be served with `writev(false)`, so that everything
//! hyper has encoded since its last flush reaches [`ParseErrorBodies::poll_write`] as one
//! buffer and hyper's answer sits at the end of that buffer, whole.

use crate::xrpc::XrpcError;
use axum::http::StatusCode;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A socket whose hyper-written parse-error answers get XRPC error bodies.
pub struct ParseErrorBodies<T> {
    inner: T,
    /// Bytes accepted from hyper but not yet written (only after a rewrite).
    pending: Vec<u8>,
    written: usize,
}

impl<T> ParseErrorBodies<T> {
    /// Wrap a socket.
    pub fn new(inner: T) -> Self {
        ParseErrorBodies {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<T: AsyncWrite + Unpin> ParseErrorBodies<T> {
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ParseErrorBodies<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ParseErrorBodies<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        if let Some(rewritten) = rewrite(buf) {
            this.pending = rewritten;
            // Whatever the socket does not take now goes out on the next flush.
            if let Poll::Ready(Err(e)) = this.poll_drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// hyper's automatic answers: status line, then only these headers, no body.
const STATUS_LINES: [(&str, StatusCode); 3] = [
    ("400 Bad Request", StatusCode::BAD_REQUEST),
    ("414 URI Too Long", StatusCode::URI_TOO_LONG),
    (
        "431 Request Header Fields Too Large",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
    ),
];

/// If `buf` ends with one of hyper's automatic answers, `buf` with that answer replaced by
/// one with an XRPC body.
fn rewrite(buf: &[u8]) -> Option<Vec<u8>> {
    if !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    // The answer is short (about 120 bytes); look for its status line near the end.
    let from = buf.len().saturating_sub(256);
    let start = from + memchr::memmem::rfind(&buf[from..], b"HTTP/1.")?;
    let head = std::str::from_utf8(&buf[start..buf.len() - 4]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let (version, reason) = status_line.split_at_checked("HTTP/1.x ".len())?;
    let status = STATUS_LINES
        .iter()
        .find(|(line, _)| *line == reason)
        .map(|(_, s)| *s)?;
    let mut date = None;
    let mut empty = false;
    for line in lines {
        let (name, value) = line.split_once(": ")?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" if value == "0" => empty = true,
            "connection" if value.eq_ignore_ascii_case("close") => {}
            "date" => date = Some(value),
            _ => return None,
        }
    }
    if !empty {
        return None;
    }
    let body = body_for(status);
    let mut out = buf[..start].to_vec();
    out.extend_from_slice(version.as_bytes());
    out.extend_from_slice(reason.as_bytes());
    out.extend_from_slice(b"\r\nconnection: close\r\ncontent-type: application/json\r\n");
    out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    if let Some(date) = date {
        out.extend_from_slice(format!("date: {date}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&body);
    tracing::debug!(status = status.as_u16(), "malformed request head answered");
    Some(out)
}

/// The XRPC body for one of hyper's answers.
fn body_for(status: StatusCode) -> Vec<u8> {
    let message = match status {
        StatusCode::URI_TOO_LONG => "the request URL is longer than 65534 bytes",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "the request headers are too large",
        _ => {
            "malformed HTTP request: the request line or a header could not be parsed \
             (in a URL, characters such as space, \", <, >, {, }, |, \\, ^ and ` must be \
             percent-encoded)"
        }
    };
    XrpcError::for_status(status, message).body_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "date: Fri, 04 Dec 2026 15:16:23 GMT";

    fn hyper_answer(status_line: &str) -> String {
        format!(
            "HTTP/1.1 {status_line}\r\nconnection: close\r\ncontent-length: 0\r\n{DATE}\r\n\r\n"
        )
    }

    fn body_of(out: &[u8]) -> serde_json::Value {
        let text = std::str::from_utf8(out).unwrap();
        let (_, body) = text.rsplit_once("\r\n\r\n").unwrap();
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn each_automatic_answer_gets_an_xrpc_body() {
        for (line, status, name) in [
            ("400 Bad Request", 400, "InvalidRequest"),
            ("414 URI Too Long", 414, "UriTooLong"),
            (
                "431 Request Header Fields Too Large",
                431,
                "HeadersTooLarge",
            ),
        ] {
            let out = rewrite(hyper_answer(line).as_bytes()).expect(line);
            let text = String::from_utf8(out.clone()).unwrap();
            assert!(text.starts_with(&format!("HTTP/1.1 {status} ")), "{text}");
            assert!(
                text.contains("content-type: application/json\r\n"),
                "{text}"
            );
            assert!(text.contains(DATE), "{text}");
            let body = body_of(&out);
            assert_eq!(body["error"], name, "{text}");
            assert!(body["message"].is_string());
            let (head, b) = text.split_once("\r\n\r\n").unwrap();
            assert!(
                head.contains(&format!("content-length: {}", b.len())),
                "{text}"
            );
        }
    }

    #[test]
    fn an_answer_after_a_pipelined_response_is_rewritten_and_the_response_kept() {
        let ok = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        let buf = format!("{ok}{}", hyper_answer("400 Bad Request"));
        let out = rewrite(buf.as_bytes()).unwrap();
        assert!(out.starts_with(ok.as_bytes()));
        assert_eq!(body_of(&out)["error"], "InvalidRequest");
    }

    #[test]
    fn other_responses_pass_untouched() {
        for buf in [
            "HTTP/1.1 204 No Content\r\ndate: x\r\n\r\n".to_string(),
            "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string(),
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n"
                .to_string(),
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 5\r\n\r\n".to_string(),
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}".to_string(),
            "{\"a\":1}".to_string(),
            String::new(),
        ] {
            assert!(rewrite(buf.as_bytes()).is_none(), "{buf:?}");
        }
    }

    #[tokio::test]
    async fn the_wrapper_writes_the_rewritten_bytes_and_reports_hypers_length() {
        use tokio::io::AsyncWriteExt;
        let (client, mut server) = tokio::io::duplex(16);
        let mut io = ParseErrorBodies::new(client);
        let answer = hyper_answer("400 Bad Request");
        let reader = tokio::spawn(async move {
            let mut out = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut server, &mut out)
                .await
                .unwrap();
            out
        });
        let n = io.write(answer.as_bytes()).await.unwrap();
        assert_eq!(n, answer.len());
        io.shutdown().await.unwrap();
        drop(io);
        let out = reader.await.unwrap();
        assert_eq!(body_of(&out)["error"], "InvalidRequest");
    }
}
