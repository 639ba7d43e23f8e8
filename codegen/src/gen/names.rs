//! Rust names for lexicon names: keywords, non-identifier characters and collisions.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};
use std::collections::BTreeSet;

/// Words that cannot be identifiers even in raw form.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self", "_"];

/// Rust keywords (strict and reserved, 2021 edition).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Replace characters that cannot appear in an identifier, keeping word boundaries.
fn sanitize(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'v');
    }
    out
}

/// An identifier, raw when it is a keyword, suffixed when it cannot be raw.
pub fn ident(name: &str) -> Ident {
    if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// snake_case field / module name.
pub fn snake(name: &str) -> String {
    let s = sanitize(name).to_snake_case();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("v_{s}")
    } else {
        s
    }
}

/// UpperCamelCase type / variant name.
pub fn camel(name: &str) -> String {
    let s = sanitize(name).to_upper_camel_case();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{s}")
    } else {
        s
    }
}

/// Names already used in one scope; `claim` returns a free variant of a wanted name.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    used: BTreeSet<String>,
}

impl Scope {
    /// Reserve `wanted`, or `wanted2`, `wanted3`, ... if it is taken.
    pub fn claim(&mut self, wanted: &str) -> String {
        if self.used.insert(wanted.to_string()) {
            return wanted.to_string();
        }
        (2..)
            .map(|n| format!("{wanted}{n}"))
            .find(|c| self.used.insert(c.clone()))
            .expect("an unused suffix exists")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("createdAt"), "created_at");
        assert_eq!(camel("stream.received"), "StreamReceived");
        assert_eq!(camel("!hide"), "Hide");
        assert_eq!(camel("18+"), "V18");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
        let mut s = Scope::default();
        assert_eq!(s.claim("Main"), "Main");
        assert_eq!(s.claim("Main"), "Main2");
    }
}
