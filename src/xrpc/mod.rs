//! XRPC plumbing: errors, request decoding, the extractor, routing.

pub mod deadline;
mod error;
mod extract;
pub mod layers;
pub mod request;
pub mod router;

pub use error::{DeclaredStatus, XrpcError};
pub use extract::{Reply, ServedMethod, Xrpc};
