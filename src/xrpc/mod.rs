//! XRPC plumbing: errors, request decoding, routing.

mod error;
pub mod request;
pub mod router;

pub use error::XrpcError;
