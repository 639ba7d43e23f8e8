//! Lexicon documents for placehook: parsing and checking them, the catalog of a directory,
//! and the dynamic validator behind `placehook lex validate`.
//!
//! Used at run time by `placehook lex` and at build time by `placehook-codegen`; it has no
//! code-generation dependencies, so the service binary never links `syn` or `quote`.

pub mod catalog;
pub mod keyorder;
pub mod parse;
pub mod schema;
pub mod validate;
