//! JavaScript semantics that the reference's verdicts depend on, reproduced on purpose.

pub mod json;
