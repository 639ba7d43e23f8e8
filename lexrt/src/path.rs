//! Lazily rendered JSON paths and the validation error type.

use std::fmt;

/// A JSON path built on the stack while walking a value; rendered only on error.
#[derive(Debug, Clone, Copy)]
pub enum Path<'a> {
    /// The root (`$`).
    Root,
    /// An object key below a parent.
    Key(&'a Path<'a>, &'a str),
    /// An array index below a parent.
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    /// The child path for object key `k`.
    pub fn key(&'a self, k: &'a str) -> Path<'a> {
        Path::Key(self, k)
    }
    /// The child path for array index `i`.
    pub fn index(&'a self, i: usize) -> Path<'a> {
        Path::Index(self, i)
    }
    /// An error at this path.
    pub fn error(&self, message: impl Into<String>) -> ValidationError {
        ValidationError {
            path: self.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => f.write_str("$"),
            Path::Key(p, k) => {
                write!(f, "{p}")?;
                let simple = !k.is_empty()
                    && k.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
                    && !k.as_bytes()[0].is_ascii_digit();
                if simple {
                    write!(f, ".{k}")
                } else {
                    let quoted = serde_json::to_string(k).map_err(|_| fmt::Error)?;
                    write!(f, "[{quoted}]")
                }
            }
            Path::Index(p, i) => write!(f, "{p}[{i}]"),
        }
    }
}

/// A value failed validation: where, and which constraint it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// JSON path of the offending value, e.g. `$.facets[0].index.byteStart`.
    pub path: String,
    /// The broken constraint, e.g. `must not be longer than 300 graphemes`.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for ValidationError {}

/// Result of a validation step.
pub type VResult = Result<(), ValidationError>;
