//! Lexicon toolchain for placehook.
pub mod catalog;
pub mod parse;
pub mod schema;
pub mod gen;
pub mod rt;
pub mod types;
pub mod validate;
pub mod formats;
pub mod text;
