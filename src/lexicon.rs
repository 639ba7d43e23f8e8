//! Rust types, NSID constants, error enums and validation generated from `lexicons/`.
//!
//! Everything below is produced by `build.rs` into `OUT_DIR`; nothing here is hand-written.

#![allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    non_camel_case_types,
    non_snake_case,
    unused_imports
)]

include!(concat!(env!("OUT_DIR"), "/lexicons.rs"));
