//! Emission of one document's defs: Rust types and their validation functions.

use super::names::{camel, ident, snake, Scope};
use super::tokens::{doc_attr, lit_str};
use super::Gen;
use crate::schema::*;
use proc_macro2::TokenStream;
use quote::quote;

pub(crate) struct DocEmitter<'g, 'c> {
    pub g: &'g mut Gen<'c>,
    pub nsid: String,
    pub scope: Scope,
    pub items: Vec<TokenStream>,
    pub statics: usize,
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
