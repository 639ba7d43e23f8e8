//! Run-time support for lexicons: what generated code, the dynamic validator
//! (`placehook-lex`) and the service use, so that all of them give exactly the same
//! verdicts.
//!
//! The semantics follow the reference implementation (`@atproto/lexicon` 0.7, which first
//! converts JSON to "lex" values with `jsonToLex`, then validates); [`js`] holds the
//! JavaScript behaviour that had to be reproduced on purpose.
//!
//! Generated code imports this crate as `rt` and names the items re-exported here
//! (`rt::Validate`, `rt::Path`, `rt::check_str_typed`, ...).

mod checks;
mod lexvalue;
mod path;
mod typed;
mod xrpc;

pub mod formats;
pub mod js;
pub mod text;
pub mod types;

pub use checks::*;
pub use lexvalue::*;
pub use path::*;
pub use typed::*;
pub use xrpc::*;
