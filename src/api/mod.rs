//! XRPC method handlers.

pub mod caller;
pub mod describe;
mod errors;
pub mod owner;
pub mod push;
pub mod samples;
pub mod webhooks;
pub mod well_known;
pub mod wire;
