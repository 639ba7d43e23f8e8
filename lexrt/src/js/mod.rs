//! JavaScript semantics that the reference's verdicts depend on, reproduced on purpose:
//! `JSON.parse`, numbers, string lengths in UTF-16 code units, regular-expression character
//! classes, inherited object members and Node's base64 decoding.
//!
//! Ports of one JavaScript library's quirks stay with the port (the `datetime` and `cid`
//! formats); this module holds what the language and Node do everywhere.

pub mod base64;
pub mod json;
pub mod number;
pub mod object;
pub mod regex;
pub mod string;
