//! The Rust code generator for placehook's lexicons, used by `build.rs` only.
//!
//! It reads a [`placehook_lex::catalog::Catalog`] and writes code that calls the run-time
//! crate `placehook-lexrt`.

pub mod gen;

// The lexicon model the generator reads, under the paths `gen/` names it by.
use placehook_lex::{catalog, schema};
