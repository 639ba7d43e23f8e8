//! XRPC method handlers.

pub mod caller;
pub mod webhooks;
