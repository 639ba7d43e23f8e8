//! Generated code for the edge-case fixture lexicons in `tests/fixtures/codegen/valid`
//! (keywords and odd names, recursion, unions, enums, defaults, methods and their errors),
//! produced by this crate's `build.rs` into `OUT_DIR` for the tests in `tests/`.
//!
//! A workspace member for tests only: nothing depends on it, so building the service
//! (`cargo build -p placehook`, `cargo install`) never generates or compiles the fixtures,
//! while `cargo build --workspace` and `cargo nextest run --workspace` do.

#![allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    non_camel_case_types,
    non_snake_case,
    unused_imports
)]

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
