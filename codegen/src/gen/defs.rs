//! Emission of one document's defs: Rust types and their validation functions.

use super::names::{camel, ident, snake, Scope};
use super::tokens::{doc_attr, lit_str, opt};
use super::{static_ident, Gen};
use crate::schema::*;
use proc_macro2::TokenStream;
use quote::quote;

pub(crate) struct DocEmitter<'g, 'c> {
    pub g: &'g mut Gen<'c>,
    pub nsid: String,
    pub scope: Scope,
    pub items: Vec<TokenStream>,
    statics: usize,
}

/// The Rust shape of one property.
enum FieldKind {
    /// `T` (required, not nullable)
    Plain,
    /// `T` filled by a serde default (optional with a lexicon default): the name of the
    /// module-level function that makes the default
    Defaulted(String),
    /// `Option<T>` skipped when `None` (optional)
    Optional,
    /// `Option<T>`, always written (required and nullable: `null` is a value)
    Nullable,
    /// `Option<Option<T>>` (optional and nullable)
    OptionalNullable,
}

impl<'g, 'c> DocEmitter<'g, 'c> {
    pub fn new(g: &'g mut Gen<'c>, nsid: &str) -> Self {
        let scope = g.scopes.get(nsid).cloned().unwrap_or_default();
        DocEmitter {
            g,
            nsid: nsid.to_string(),
            scope,
            items: Vec::new(),
            statics: 0,
        }
    }

    pub fn finish(self) -> TokenStream {
        let items = self.items;
        quote!(#(#items)*)
    }

    fn uri(&self, name: &str) -> String {
        format!("{}#{}", self.nsid, name)
    }

    /// Emit the type and check function of one def.
    pub fn def(&mut self, name: &str, def: &Schema) -> Result<(), String> {
        let uri = self.uri(name);
        let info = self.g.info[&uri].clone();
        let ty = ident(&info.ty);
        let check = ident(&info.check);
        let doc = doc_attr(def.description(), &uri);
        match def {
            Schema::Object(o) => {
                self.typed_fn(&info.typed, &ty, quote!(rt::Validate::validate_at(x, path)));
                self.object_struct(&info.ty, o, &uri, &doc);
                let body = self.object_check(o);
                self.check_fn(&check, body);
                self.items.push(quote! {
                    impl #ty {
                        /// Validate a JSON value against this def, exactly as the reference
                        /// validator would.
                        pub fn validate_json(value: &::serde_json::Value) -> rt::VResult {
                            rt::check_convertible(value, &rt::Path::Root)?;
                            #check(&rt::Path::Root, value)
                        }
                    }
                });
            }
            Schema::Record(r) => {
                self.typed_fn(&info.typed, &ty, quote!(rt::Validate::validate_at(x, path)));
                self.object_struct(&info.ty, &r.record, &uri, &doc);
                let body = self.object_check(&r.record);
                self.check_fn(&check, body);
                let nsid = &self.nsid;
                self.items.push(quote! {
                    impl #ty {
                        /// Validate a JSON record (its `$type` must name this lexicon), exactly
                        /// as the reference validator would.
                        pub fn validate_json(value: &::serde_json::Value) -> rt::VResult {
                            rt::check_convertible(value, &rt::Path::Root)?;
                            rt::check_record_type(value, #nsid)?;
                            #check(&rt::Path::Root, value)
                        }
                    }
                });
            }
            Schema::Token(_) => {
                let c = ident(&info.ty);
                self.items.push(quote!(#doc pub const #c: &str = #uri;));
                self.check_fn(
                    &check,
                    quote!(Err(path.error("unexpected lexicon type: token"))),
                );
            }
            // The method's own items come from `methods`; as a def it is only ever an
            // error to refer to.
            Schema::Query(_) | Schema::Procedure(_) => {
                self.check_fn(
                    &check,
                    quote!(Err(path.error("unexpected lexicon type: method"))),
                );
            }
            Schema::Subscription(_) => {
                self.check_fn(
                    &check,
                    quote!(Err(path.error("unexpected lexicon type: subscription"))),
                );
            }
            Schema::PermissionSet(_) => {
                self.check_fn(
                    &check,
                    quote!(Err(path.error("unexpected lexicon type: permission-set"))),
                );
            }
            other => {
                let t = self.rust_type(other, &info.ty, &uri);
                self.items.push(quote!(#doc pub type #ty = #t;));
                let body = self.value_check(other);
                self.check_fn(&check, quote!({ #body Ok(()) }));
                let typed = self.typed_check(other);
                self.typed_fn(&info.typed, &ty, quote!({ #typed Ok(()) }));
            }
        }
        Ok(())
    }

    fn check_fn(&mut self, name: &proc_macro2::Ident, body: TokenStream) {
        self.items.push(quote! {
            #[doc(hidden)]
            #[allow(unused_variables, clippy::all)]
            pub fn #name(path: &rt::Path<'_>, value: &::serde_json::Value) -> rt::VResult {
                #body
            }
        });
    }

    fn typed_fn(&mut self, name: &str, ty: &proc_macro2::Ident, body: TokenStream) {
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

    /// A struct for an object schema. `owner` is the def URI (for boxing decisions).
    pub fn object_struct(&mut self, name: &str, o: &ObjectSchema, owner: &str, doc: &TokenStream) {
        let ty = ident(name);
        let mut fields = Vec::new();
        let mut checks = Vec::new();
        let mut ctor = Constructor::default();
        let mut field_scope = Scope::default();
        field_scope.claim("extra");
        field_scope.claim("type_");
        for (prop, s) in &o.properties {
            let fname = ident(&field_scope.claim(&snake(prop)));
            let hint = format!("{name}{}", camel(prop));
            let mut t = self.rust_type(s, &hint, owner);
            if self.g.boxed.contains(&(owner.to_string(), prop.clone())) {
                t = quote!(::std::boxed::Box<#t>);
            }
            let kind = self.field_kind(o, prop, s, &t, name);
            let inner = self.typed_check(s);
            if !inner.is_empty() {
                checks.push(match &kind {
                    FieldKind::Plain | FieldKind::Defaulted(_) => quote! {
                        { let x = &self.#fname; let path = &path.key(#prop); #inner }
                    },
                    FieldKind::Optional | FieldKind::Nullable => quote! {
                        if let Some(x) = &self.#fname { let path = &path.key(#prop); #inner }
                    },
                    FieldKind::OptionalNullable => quote! {
                        if let Some(Some(x)) = &self.#fname { let path = &path.key(#prop); #inner }
                    },
                });
            }
            ctor.field(&fname, &t, &kind);
            let fdoc = doc_attr(s.description(), prop);
            let field = match kind {
                FieldKind::Plain => quote!(#fdoc #[serde(rename = #prop)] pub #fname: #t),
                FieldKind::Defaulted(f) => {
                    let f = lit_str(&f);
                    quote!(#fdoc #[serde(rename = #prop, default = #f)] pub #fname: #t)
                }
                FieldKind::Optional => quote! {
                    #fdoc
                    #[serde(rename = #prop, default, skip_serializing_if = "::std::option::Option::is_none")]
                    pub #fname: ::std::option::Option<#t>
                },
                FieldKind::Nullable => {
                    quote!(#fdoc #[serde(rename = #prop)] pub #fname: ::std::option::Option<#t>)
                }
                FieldKind::OptionalNullable => quote! {
                    #fdoc
                    #[serde(rename = #prop, default, skip_serializing_if = "::std::option::Option::is_none",
                            with = "rt::types::double_option")]
                    pub #fname: ::std::option::Option<::std::option::Option<#t>>
                },
            };
            fields.push(field);
        }
        // A record made here names its collection, as one read from a repo does.
        let is_record = matches!(self.g.cat.def(owner), Some(Schema::Record(_)))
            && self.g.info.get(owner).is_some_and(|i| i.ty == name);
        if is_record {
            let nsid = owner.split_once('#').map_or(owner, |(n, _)| n);
            ctor.type_ = quote!(Some(#nsid.to_string()));
        }
        let ctor = ctor.finish(&ty);
        self.items.push(quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            pub struct #ty {
                #(#fields,)*
                /// The `$type` the value carried, if any.
                #[serde(rename = "$type", default, skip_serializing_if = "::std::option::Option::is_none")]
                pub type_: ::std::option::Option<::std::string::String>,
                /// Fields this lexicon does not define, kept as they came.
                #[serde(flatten)]
                pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            }
            impl rt::Validate for #ty {
                #[allow(unused_variables, clippy::all)]
                fn validate_at(&self, path: &rt::Path<'_>) -> rt::VResult {
                    #(#checks)*
                    rt::check_extra(path, &self.extra)
                }
            }
            #ctor
        });
    }

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
    fn typed_ref(&self, target: &str) -> TokenStream {
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

    fn int_rules(&mut self, s: &Schema) -> proc_macro2::Ident {
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

    fn field_kind(
        &mut self,
        o: &ObjectSchema,
        prop: &str,
        s: &Schema,
        t: &TokenStream,
        owner: &str,
    ) -> FieldKind {
        let required = o.is_required(prop);
        let nullable = o.is_nullable(prop);
        match (required, nullable) {
            (true, false) => FieldKind::Plain,
            (true, true) => FieldKind::Nullable,
            (false, true) => FieldKind::OptionalNullable,
            (false, false) => match self.default_expr(s) {
                Some(expr) => {
                    let fname =
                        self.scope
                            .claim(&format!("default_{}_{}", snake(owner), snake(prop)));
                    let f = ident(&fname);
                    self.items.push(quote! {
                        #[doc(hidden)]
                        pub fn #f() -> #t { #expr }
                    });
                    FieldKind::Defaulted(fname)
                }
                None => FieldKind::Optional,
            },
        }
    }

    fn default_expr(&self, s: &Schema) -> Option<TokenStream> {
        match s {
            Schema::Boolean(b) => b.default.map(|d| quote!(#d)),
            Schema::Integer(i) => i.default.map(|d| quote!(#d)),
            // Only plain strings: an enum-typed default would need a conversion.
            Schema::String(st) if st.enum_.is_none() && st.known_values.is_none() => {
                st.default.as_ref().map(|d| quote!(#d.to_string()))
            }
            _ => None,
        }
    }

    /// The Rust type for a schema; inline enums are emitted with a name from `hint`.
    pub fn rust_type(&mut self, s: &Schema, hint: &str, owner: &str) -> TokenStream {
        match s {
            Schema::Boolean(_) => quote!(bool),
            Schema::Integer(_) => quote!(i64),
            Schema::String(st) => self.string_type(st, hint),
            Schema::Bytes(_) => quote!(rt::types::Bytes),
            Schema::CidLink(_) => quote!(rt::types::CidLink),
            Schema::Blob(_) => quote!(rt::types::Blob),
            Schema::Unknown(_) => quote!(::serde_json::Value),
            Schema::Array(a) => {
                let item = self.rust_type(&a.items, &format!("{hint}Item"), owner);
                quote!(::std::vec::Vec<#item>)
            }
            Schema::Ref(r) => self.ref_type(&r.target),
            Schema::Union(u) => self.union_type(u, hint),
            Schema::Object(o) | Schema::Params(o) => {
                let name = self.scope.claim(hint);
                self.object_struct(&name, o, owner, &TokenStream::new());
                let i = ident(&name);
                quote!(#i)
            }
            _ => quote!(::serde_json::Value),
        }
    }

    /// The type a ref names: the def's own type, or JSON for defs without a value type.
    pub fn ref_type(&self, target: &str) -> TokenStream {
        match self.g.cat.def(target) {
            Some(Schema::Token(_))
            | Some(Schema::Query(_))
            | Some(Schema::Procedure(_))
            | Some(Schema::Subscription(_))
            | Some(Schema::PermissionSet(_))
            | None => quote!(::serde_json::Value),
            Some(_) => self.g.type_path(target),
        }
    }

    fn string_type(&mut self, st: &StringSchema, hint: &str) -> TokenStream {
        let (values, open) = match (&st.enum_, &st.known_values) {
            (Some(e), _) => (e, false),
            (None, Some(k)) if !k.is_empty() => (k, true),
            _ => return quote!(::std::string::String),
        };
        let name = self.scope.claim(hint);
        let ty = ident(&name);
        let mut vscope = Scope::default();
        vscope.claim("Other");
        let variants: Vec<_> = values
            .iter()
            .map(|v| {
                let short = v.rsplit(['#', '.']).next().unwrap_or(v);
                ident(&vscope.claim(&camel(short)))
            })
            .collect();
        let lits = values.iter();
        let lits2 = values.iter();
        let vars2 = variants.iter();
        let doc = format!("Values of `{hint}`");
        if open {
            self.items.push(quote! {
                #[doc = #doc]
                /// (known values; any other string is kept in `Other`).
                #[derive(Debug, Clone, PartialEq, Eq, Hash)]
                pub enum #ty { #(#variants,)* Other(::std::string::String) }
                impl #ty {
                    /// The string form.
                    pub fn as_str(&self) -> &str {
                        match self { #(Self::#variants => #lits,)* Self::Other(s) => s }
                    }
                }
                impl ::std::convert::From<&str> for #ty {
                    fn from(s: &str) -> Self {
                        match s { #(#lits2 => Self::#vars2,)* other => Self::Other(::std::string::ToString::to_string(other)) }
                    }
                }
                impl ::serde::Serialize for #ty {
                    fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                        s.serialize_str(self.as_str())
                    }
                }
                impl<'de> ::serde::Deserialize<'de> for #ty {
                    fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                        let s = <::std::string::String as ::serde::Deserialize>::deserialize(d)?;
                        Ok(Self::from(s.as_str()))
                    }
                }
            });
        } else {
            let lits3 = values.iter();
            let vars3 = variants.iter();
            self.items.push(quote! {
                #[doc = #doc]
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                         ::serde::Serialize, ::serde::Deserialize)]
                pub enum #ty { #(#[serde(rename = #lits)] #variants,)* }
                impl #ty {
                    /// Every value, in lexicon order.
                    pub const ALL: &'static [#ty] = &[#(Self::#vars2,)*];
                    /// The string form.
                    pub fn as_str(&self) -> &'static str {
                        match self { #(Self::#vars3 => #lits3,)* }
                    }
                    /// Parse the string form.
                    pub fn parse(s: &str) -> ::std::option::Option<Self> {
                        Self::ALL.iter().copied().find(|v| v.as_str() == s)
                    }
                }
            });
            let _ = lits2;
        }
        quote!(#ty)
    }

    fn union_type(&mut self, u: &UnionSchema, hint: &str) -> TokenStream {
        let name = self.scope.claim(hint);
        let ty = ident(&name);
        let mut vscope = Scope::default();
        vscope.claim("Unknown");
        let mut variants = Vec::new();
        let mut ser = Vec::new();
        let mut de = Vec::new();
        let mut checks = Vec::new();
        for r in &u.refs {
            let (nsid, def) = r.split_once('#').expect("absolute ref");
            let short = if def == "main" {
                nsid.rsplit('.').next().unwrap_or(nsid)
            } else {
                def
            };
            let v = ident(&vscope.claim(&camel(short)));
            let t = self.ref_type(r);
            let type_str = if def == "main" {
                nsid.to_string()
            } else {
                r.clone()
            };
            variants.push(quote!(#v(::std::boxed::Box<#t>)));
            let check = self.typed_ref(r);
            checks.push(quote!(Self::#v(x) => { let x = &**x; #check }));
            ser.push(quote!(Self::#v(x) => rt::union_to_value(x.as_ref(), #type_str)));
            de.push(quote!(#type_str => Self::#v(rt::union_from_value(v)?)));
            if def == "main" {
                let full = r.clone();
                de.push(quote!(#full => Self::#v(rt::union_from_value(v)?)));
            }
        }
        let closed = u.closed;
        let unknown_check = if closed {
            quote!(Self::Unknown(_) => return Err(path.error("$type is not a member of this closed union")),)
        } else {
            quote!(Self::Unknown(_) => {})
        };
        self.items.push(quote! {
            impl rt::Validate for #ty {
                #[allow(unused_variables, unreachable_code, clippy::all)]
                fn validate_at(&self, path: &rt::Path<'_>) -> rt::VResult {
                    match self {
                        #(#checks)*
                        #unknown_check
                    }
                    Ok(())
                }
            }
        });
        let doc = format!("Union `{hint}`: one of the listed refs, by `$type`.");
        self.items.push(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq)]
            pub enum #ty {
                #(#variants,)*
                /// A `$type` this union does not list (open unions only), kept as it came.
                Unknown(::serde_json::Value),
            }
            impl ::serde::Serialize for #ty {
                fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                    let v: ::std::result::Result<::serde_json::Value, ::serde_json::Error> = match self {
                        #(#ser,)*
                        Self::Unknown(v) => Ok(v.clone()),
                    };
                    let v = v.map_err(::serde::ser::Error::custom)?;
                    ::serde::Serialize::serialize(&v, s)
                }
            }
            impl<'de> ::serde::Deserialize<'de> for #ty {
                fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                    let v = <::serde_json::Value as ::serde::Deserialize>::deserialize(d)?;
                    let t: ::std::string::String = v.get("$type").and_then(|t| t.as_str()).unwrap_or("").to_string();
                    let parsed = move || -> ::std::result::Result<Self, ::serde_json::Error> {
                        let t = t.strip_prefix("lex:").unwrap_or(&t);
                        Ok(match t {
                            #(#de,)*
                            _ if !#closed => Self::Unknown(v),
                            other => return Err(<::serde_json::Error as ::serde::de::Error>::custom(
                                format!("$type {other:?} is not a member of this closed union"))),
                        })
                    };
                    parsed().map_err(::serde::de::Error::custom)
                }
            }
        });
        quote!(#ty)
    }

    // ----- validation -----

    fn next_static(&mut self) -> proc_macro2::Ident {
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

    fn concrete_has_default(&self, s: &Schema) -> bool {
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
pub(crate) fn string_rules(st: &StringSchema) -> TokenStream {
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

/// `new` for a generated struct: its required fields as arguments, everything else at its
/// lexicon default or absent, so hand-written code never spells out `$type` or unknown
/// fields. A struct without required fields also gets `Default`.
struct Constructor {
    args: Vec<TokenStream>,
    inits: Vec<TokenStream>,
    /// The `$type` it starts with: `None`, or a record's NSID.
    type_: TokenStream,
}

impl Default for Constructor {
    fn default() -> Self {
        Constructor {
            args: Vec::new(),
            inits: Vec::new(),
            type_: quote!(None),
        }
    }
}

impl Constructor {
    fn field(&mut self, name: &proc_macro2::Ident, t: &TokenStream, kind: &FieldKind) {
        let init = match kind {
            FieldKind::Plain => {
                self.args.push(quote!(#name: #t));
                quote!(#name)
            }
            FieldKind::Nullable => {
                self.args.push(quote!(#name: ::std::option::Option<#t>));
                quote!(#name)
            }
            FieldKind::Defaulted(f) => {
                let f = ident(f);
                quote!(#name: #f())
            }
            FieldKind::Optional | FieldKind::OptionalNullable => quote!(#name: None),
        };
        self.inits.push(init);
    }

    fn finish(self, ty: &proc_macro2::Ident) -> TokenStream {
        let Constructor { args, inits, type_ } = self;
        let default = if args.is_empty() {
            quote! {
                impl ::std::default::Default for #ty {
                    fn default() -> Self {
                        Self::new()
                    }
                }
            }
        } else {
            TokenStream::new()
        };
        quote! {
            impl #ty {
                /// A value with these required fields; optional fields are absent (or take
                /// their lexicon default), with no unknown fields, and a `$type` only for a
                /// record (its collection).
                #[allow(clippy::too_many_arguments)]
                pub fn new(#(#args),*) -> Self {
                    #ty {
                        #(#inits,)*
                        type_: #type_,
                        extra: ::serde_json::Map::new(),
                    }
                }
            }
            #default
        }
    }
}
