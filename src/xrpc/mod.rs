//! XRPC plumbing: errors, request decoding, routing.

pub mod deadline;
mod error;
pub mod layers;
pub mod request;
pub mod router;

pub use error::XrpcError;
