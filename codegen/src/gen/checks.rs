//! The validation code emitted for a lexicon document: checks of typed values and of
//! JSON values, with the static rule tables they use. Part of [`DocEmitter`].

use super::defs::DocEmitter;
use super::names::ident;
use super::static_ident;
use super::tokens::opt;
use crate::schema::*;
use proc_macro2::TokenStream;
use quote::quote;

impl DocEmitter<'_, '_> {
    pub(super) fn check_fn(&mut self, name: &proc_macro2::Ident, body: TokenStream) {
        self.items.push(quote! {
            #[doc(hidden)]
            #[allow(unused_variables, clippy::all)]
            pub fn #name(path: &rt::Path<'_>, value: &::serde_json::Value) -> rt::VResult {
                #body
            }
        });
    }

    pub(super) fn typed_fn(&mut self, name: &str, ty: &proc_macro2::Ident, body: TokenStream) {
        let f = ident(name);
        self.items.push(quote! {
            #[doc(hidden)]
            #[allow(unused_variables, clippy::all)]
            pub fn #f(x: &#ty, path: &rt::Path<'_>) -> rt::VResult {
                #body
            }
        });
    }

    // ----- types -----

    /// Statements checking a typed value `x: &T` at `path` (empty when the Rust type
    /// already enforces everything).
    pub fn typed_check(&mut self, s: &Schema) -> TokenStream {
        match s {
            Schema::Boolean(b) => match b.const_ {
                Some(c) => {
                    let r = self.next_static();
                    self.items.push(
                        quote!(static #r: rt::BoolRules = rt::BoolRules { const_: Some(#c) };),
                    );
                    quote!(rt::check_bool_typed(path, *x, &#r)?;)
                }
                None => TokenStream::new(),
            },
            Schema::Integer(_) => {
                let r = self.int_rules(s);
                quote!(rt::check_i64(path, *x, &#r)?;)
            }
            Schema::String(st) => {
                let r = self.next_static();
                let rules = string_rules(st);
                self.items
                    .push(quote!(static #r: rt::StringRules = #rules;));
                quote!(rt::check_str_typed(path, x.as_str(), &#r)?;)
            }
            Schema::Bytes(b) => {
                let r = self.next_static();
                let min = opt(b.min_length.map(|m| quote!(#m)));
                let max = opt(b.max_length.map(|m| quote!(#m)));
                self.items.push(quote! {
                    static #r: rt::BytesRules = rt::BytesRules { min_length: #min, max_length: #max };
                });
                quote!(rt::check_bytes_typed(path, x, &#r)?;)
            }
            Schema::CidLink(_) => quote!(rt::check_cid_typed(path, x)?;),
            Schema::Blob(_) => quote!(rt::check_blob_typed(path, x)?;),
            Schema::Unknown(_) => {
                quote!(rt::check_unknown(path, x)?; rt::check_convertible(x, path)?;)
            }
            Schema::Array(a) => {
                let min = opt(a.min_length.map(|m| quote!(#m)));
                let max = opt(a.max_length.map(|m| quote!(#m)));
                let inner = self.typed_check(&a.items);
                quote! {
                    rt::check_len_typed(path, x.len(), #min, #max)?;
                    for (i, x) in x.iter().enumerate() {
                        let path = &path.index(i);
                        #inner
                    }
                }
            }
            Schema::Ref(r) => self.typed_ref(&r.target),
            Schema::Union(_) => quote!(rt::Validate::validate_at(x, path)?;),
            _ => TokenStream::new(),
        }
    }

    /// Typed check of `x` (a `&T` or `&Box<T>`) against the def a ref names.
    pub(super) fn typed_ref(&self, target: &str) -> TokenStream {
        match self.g.cat.def(target) {
            Some(Schema::Object(_)) | Some(Schema::Record(_)) => {
                quote!(rt::Validate::validate_at(x, path)?;)
            }
            Some(Schema::Token(_))
            | Some(Schema::Query(_))
            | Some(Schema::Procedure(_))
            | Some(Schema::Subscription(_))
            | Some(Schema::PermissionSet(_))
            | None => {
                let msg = format!("unexpected lexicon type at {target}");
                quote!(return Err(path.error(#msg));)
            }
            Some(_) => {
                let f = self.g.item_path(target, &self.g.info[target].typed);
                quote!(#f(x, path)?;)
            }
        }
    }

    pub(super) fn int_rules(&mut self, s: &Schema) -> proc_macro2::Ident {
        let Schema::Integer(i) = s else {
            unreachable!("integer schema")
        };
        let r = self.next_static();
        let c = opt(i.const_.map(|c| quote!(#c)));
        let e = opt(i
            .enum_
            .as_ref()
            .map(|e| quote!(::std::borrow::Cow::Borrowed(&[#(#e),*]))));
        let min = opt(i.minimum.map(|m| quote!(#m)));
        let max = opt(i.maximum.map(|m| quote!(#m)));
        self.items.push(quote! {
            static #r: rt::IntRules = rt::IntRules {
                const_: #c, enum_: #e, minimum: #min, maximum: #max,
            };
        });
        r
    }

    pub(super) fn next_static(&mut self) -> proc_macro2::Ident {
        self.statics += 1;
        static_ident(self.statics)
    }

    /// Statements checking an object at `path` / `value`; ends with `Ok(())`.
    ///
    /// A plain JSON object (the usual case) is read in one pass over its entries into
    /// statically matched slots; arrays and special objects (`$link`, `$bytes`, blobs,
    /// CIDs) go through [`rt::ObjView`], which reproduces JavaScript property access.
    pub fn object_check(&mut self, o: &ObjectSchema) -> TokenStream {
        let mut arms = Vec::new();
        let mut slot_arms = Vec::new();
        for (i, (prop, s)) in o.properties.iter().enumerate() {
            slot_arms.push(quote!(#prop => slots[#i] = Some(v),));
            let required = o.is_required(prop);
            let nullable = o.is_nullable(prop);
            let null_arm = if nullable {
                quote!(rt::Prop::Present(v) if v.is_null() => {})
            } else {
                quote!()
            };
            let missing = if required && !self.concrete_has_default(s) {
                let msg = format!("must have the property {prop:?}");
                quote!(return Err(path.error(#msg)))
            } else {
                quote!({})
            };
            // A key absent from a plain object reads an inherited member in JavaScript.
            let absent = if placehook_lexrt::js::object::is_object_proto(prop) {
                quote!(rt::Prop::Function)
            } else {
                quote!(rt::Prop::Missing)
            };
            let inner = self.one_of(s);
            arms.push(quote! {
                let prop = match &view {
                    None => match slots[#i] {
                        Some(v) => rt::Prop::Present(::std::borrow::Cow::Borrowed(v)),
                        None => #absent,
                    },
                    Some(view) => view.get(#prop),
                };
                match prop {
                    #null_arm
                    rt::Prop::Missing => #missing,
                    rt::Prop::Function => {
                        return Err(path.key(#prop).error("must not be a function"))
                    }
                    rt::Prop::Present(v) => {
                        let path = &path.key(#prop);
                        let value: &::serde_json::Value = &v;
                        #inner
                    }
                }
            });
        }
        let n = o.properties.len();
        quote! {
            #[allow(unused_mut)]
            let mut slots: [::std::option::Option<&::serde_json::Value>; #n] = [None; #n];
            // `None`: a plain object whose properties are in `slots`.
            let view: ::std::option::Option<rt::ObjView<'_>> = match value {
                ::serde_json::Value::Object(m) => {
                    let mut special = false;
                    for (k, v) in m {
                        match k.as_str() {
                            #(#slot_arms)*
                            _ => {}
                        }
                        special |= rt::is_special_key(k);
                    }
                    if special { rt::obj_view(value) } else { None }
                }
                ::serde_json::Value::Array(_) => rt::obj_view(value),
                _ => return Err(path.error("must be an object")),
            };
            #(#arms)*
            Ok(())
        }
    }

    pub(super) fn concrete_has_default(&self, s: &Schema) -> bool {
        let concrete = match s {
            Schema::Ref(r) => match self.g.cat.def(&r.target) {
                Some(d) => d,
                None => return false,
            },
            other => other,
        };
        matches!(concrete, Schema::Boolean(b) if b.default.is_some())
            || matches!(concrete, Schema::Integer(i) if i.default.is_some())
            || matches!(concrete, Schema::String(st) if st.default.is_some())
    }

    /// Statements for `validateOneOf` of `path` / `value` (refs and unions resolved).
    pub fn one_of(&mut self, s: &Schema) -> TokenStream {
        match s {
            Schema::Ref(r) => {
                let f = self.g.check_path(&r.target);
                quote!(#f(path, value)?;)
            }
            Schema::Union(u) => {
                let refs = &u.refs;
                let arms = u.refs.iter().map(|r| {
                    let f = self.g.check_path(r);
                    quote!(Some(#r) => #f(path, value)?,)
                });
                let none = if u.closed {
                    let msg = format!("$type must be one of {}", u.refs.join(", "));
                    quote!(None => return Err(path.error(#msg)),)
                } else {
                    quote!(None => {})
                };
                quote! {
                    let Some(ty) = rt::discriminator(value) else {
                        return Err(path.error("must be an object which includes the \"$type\" property"));
                    };
                    match rt::match_union(&[#(#refs),*], ty).map_err(|m| path.error(m))? {
                        #(#arms)*
                        Some(other) => return Err(path.error(format!("lexicon not found: {other}"))),
                        #none
                    }
                }
            }
            other => self.value_check(other),
        }
    }

    /// Statements for `validate` of a concrete (non-ref) schema.
    pub fn value_check(&mut self, s: &Schema) -> TokenStream {
        match s {
            Schema::Boolean(b) => {
                let r = self.next_static();
                let c = opt(b.const_.map(|c| quote!(#c)));
                self.items
                    .push(quote!(static #r: rt::BoolRules = rt::BoolRules { const_: #c };));
                quote!(rt::check_bool(path, value, &#r)?;)
            }
            Schema::Integer(i) => {
                let r = self.next_static();
                let c = opt(i.const_.map(|c| quote!(#c)));
                let e = opt(i
                    .enum_
                    .as_ref()
                    .map(|e| quote!(::std::borrow::Cow::Borrowed(&[#(#e),*]))));
                let min = opt(i.minimum.map(|m| quote!(#m)));
                let max = opt(i.maximum.map(|m| quote!(#m)));
                self.items.push(quote! {
                    static #r: rt::IntRules = rt::IntRules {
                        const_: #c, enum_: #e, minimum: #min, maximum: #max,
                    };
                });
                quote!(rt::check_int(path, value, &#r)?;)
            }
            Schema::String(st) => {
                let r = self.next_static();
                let rules = string_rules(st);
                self.items
                    .push(quote!(static #r: rt::StringRules = #rules;));
                quote!(rt::check_string(path, value, &#r)?;)
            }
            Schema::Bytes(b) => {
                let r = self.next_static();
                let min = opt(b.min_length.map(|m| quote!(#m)));
                let max = opt(b.max_length.map(|m| quote!(#m)));
                self.items.push(quote! {
                    static #r: rt::BytesRules = rt::BytesRules { min_length: #min, max_length: #max };
                });
                quote!(rt::check_bytes(path, value, &#r)?;)
            }
            Schema::CidLink(_) => quote!(rt::check_cid_link(path, value)?;),
            Schema::Blob(_) => quote!(rt::check_blob(path, value)?;),
            Schema::Unknown(_) => quote!(rt::check_unknown(path, value)?;),
            Schema::Array(a) => {
                let min = opt(a.min_length.map(|m| quote!(#m)));
                let max = opt(a.max_length.map(|m| quote!(#m)));
                let inner = self.one_of(&a.items);
                quote! {
                    let ::serde_json::Value::Array(list) = value else {
                        return Err(path.error("must be an array"));
                    };
                    rt::check_array_len(path, list.len(), #min, #max)?;
                    for (i, value) in list.iter().enumerate() {
                        let path = &path.index(i);
                        #inner
                    }
                }
            }
            Schema::Object(o) | Schema::Params(o) => {
                let body = self.object_check(o);
                quote!((|| -> rt::VResult { #body })()?;)
            }
            Schema::Ref(_) | Schema::Union(_) => self.one_of(s),
            other => {
                let msg = format!("unexpected lexicon type: {}", other.type_name());
                quote!(return Err(path.error(#msg));)
            }
        }
    }
}

/// `rt::StringRules { .. }` for a string schema, as a const expression.
pub(super) fn string_rules(st: &StringSchema) -> TokenStream {
    let c = opt(st
        .const_
        .as_ref()
        .map(|c| quote!(::std::borrow::Cow::Borrowed(#c))));
    let e = opt(st
        .enum_
        .as_ref()
        .map(|e| quote!(::std::borrow::Cow::Borrowed(&[#(::std::borrow::Cow::Borrowed(#e)),*]))));
    let u = |v: Option<u64>| opt(v.map(|m| quote!(#m)));
    let (minl, maxl, ming, maxg) = (
        u(st.min_length),
        u(st.max_length),
        u(st.min_graphemes),
        u(st.max_graphemes),
    );
    let f = opt(st
        .format
        .as_deref()
        .and_then(placehook_lexrt::formats::Format::from_name)
        .map(|f| {
            let v = ident(&format!("{f:?}"));
            quote!(rt::formats::Format::#v)
        }));
    quote! {
        rt::StringRules {
            const_: #c, enum_: #e, min_length: #minl, max_length: #maxl,
            min_graphemes: #ming, max_graphemes: #maxg, format: #f,
        }
    }
}
