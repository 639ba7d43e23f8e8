//! Lexicon toolchain for placehook.
pub mod catalog;
pub mod formats;
pub mod gen;
pub mod jsjson;
pub mod keyorder;
pub mod parse;
pub mod rt;
pub mod schema;
pub mod text;
pub mod types;
pub mod validate;
