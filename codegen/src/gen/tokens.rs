//! Small token helpers shared by the def and method emitters.

use proc_macro2::TokenStream;
use quote::quote;

/// `Some(x)` / `None` tokens.
pub(crate) fn opt(v: Option<TokenStream>) -> TokenStream {
    match v {
        Some(t) => quote!(Some(#t)),
        None => quote!(None),
    }
}

/// A `#[doc]` attribute from a description, falling back to the lexicon name.
pub(crate) fn doc_attr(desc: Option<&str>, fallback: &str) -> TokenStream {
    let text = match desc {
        Some(d) => format!("{d}\n\nLexicon: `{fallback}`"),
        None => format!("Lexicon: `{fallback}`"),
    };
    quote!(#[doc = #text])
}

/// A string literal token (for serde's `default = "path"` attribute).
pub(crate) fn lit_str(s: &str) -> TokenStream {
    let lit = syn::LitStr::new(s, proc_macro2::Span::call_site());
    quote!(#lit)
}
