//! Runtime support for lexicon validation, shared by generated code and the dynamic
//! validator so that both give exactly the same verdicts.
//!
//! The semantics follow the reference implementation (`@atproto/lexicon` 0.7, which first
//! converts JSON to "lex" values with `jsonToLex`, then validates); the modules below say
//! where JavaScript behaviour had to be reproduced on purpose.

mod checks;
mod lexvalue;
mod path;
mod typed;
mod xrpc;

pub use checks::*;
pub use lexvalue::*;
pub use path::*;
pub use typed::*;
pub use xrpc::*;
