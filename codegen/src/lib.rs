//! The Rust code generator for placehook's lexicons, used by build scripts only.
//!
//! It reads a [`placehook_lex::catalog::Catalog`] and writes code that calls the run-time
//! crate `placehook-lexrt`; [`build::compile_dir`] does both for a `build.rs`.

pub mod build;
pub mod gen;

// The lexicon model the generator reads, under the paths `gen/` names it by.
use placehook_lex::{catalog, schema};
