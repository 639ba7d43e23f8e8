//! The Jetstream consumer: chat messages, livestreams, follows and mentions from the
//! ATProto network, with no producer needed.

pub mod consumer;
pub mod frame;
pub mod interests;
pub mod mapping;

pub use consumer::{Consumer, JetstreamConfig};
pub use interests::Interests;
