//! Emission for XRPC methods: params, bodies, error enums, the type implementing
//! `rt::XrpcMethod`, and the root registry.

use super::defs::DocEmitter;
use super::names::{camel, ident};
use super::Gen;
use crate::schema::*;
use proc_macro2::TokenStream;
use quote::quote;

/// Emit a query or procedure's items: the module-level constants and functions, and a
/// unit struct implementing `rt::XrpcMethod` that gathers them.
pub(crate) fn method(
    e: &mut DocEmitter<'_, '_>,
    name: &str,
    m: &MethodSchema,
    procedure: bool,
    doc: &TokenStream,
) -> Result<(), String> {
    let kind = if procedure {
        quote!(rt::XrpcKind::Procedure)
    } else {
        quote!(rt::XrpcKind::Query)
    };
    e.items.push(quote! {
        #doc
        pub const KIND: rt::XrpcKind = #kind;
    });
    let params = params(e, m.parameters.as_ref());
    let input = if procedure {
        body(
            e,
            m.input.as_ref(),
            "Input",
            "validate_input",
            "INPUT_ENCODING",
        )
    } else {
        // A query has no body: the trait's input parts say so.
        e.items.push(quote! {
            /// A query has no body.
            pub const INPUT_ENCODING: ::std::option::Option<&str> = None;
            /// A query has no body, so anything convertible passes.
            pub fn validate_input(value: &::serde_json::Value) -> rt::VResult {
                rt::check_convertible(value, &rt::Path::Root)
            }
        });
        quote!(rt::Empty)
    };
    let output = body(
        e,
        m.output.as_ref(),
        "Output",
        "validate_output",
        "OUTPUT_ENCODING",
    );
    errors(e, &m.errors);
    let uri = format!("{}#{}", e.nsid, name);
    let ty = ident(&e.g.info[&uri].ty);
    let nsid = &e.nsid;
    let path = format!("/xrpc/{nsid}");
    let ty_doc = format!("`{nsid}` as a type, for routing, decoding and validating its calls.");
    e.items.push(quote! {
        #[doc = #ty_doc]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct #ty;
        impl rt::XrpcMethod for #ty {
            const NSID: &'static str = NSID;
            const PATH: &'static str = #path;
            const KIND: rt::XrpcKind = KIND;
            const PARAMS: &'static [(&'static str, rt::ParamKind)] = PARAMS;
            const INPUT_ENCODING: ::std::option::Option<&'static str> = INPUT_ENCODING;
            const OUTPUT_ENCODING: ::std::option::Option<&'static str> = OUTPUT_ENCODING;
            type Params = #params;
            type Input = #input;
            type Output = #output;
            type Error = Error;
            fn validate_params(value: &::serde_json::Value) -> rt::VResult {
                validate_params(value)
            }
            fn validate_input(value: &::serde_json::Value) -> rt::VResult {
                validate_input(value)
            }
            fn validate_output(value: &::serde_json::Value) -> rt::VResult {
                validate_output(value)
            }
        }
    });
    Ok(())
}

/// Emit a subscription's items.
pub(crate) fn subscription(
    e: &mut DocEmitter<'_, '_>,
    s: &SubscriptionSchema,
    doc: &TokenStream,
) -> Result<(), String> {
    e.items.push(quote! {
        #doc
        pub const KIND: rt::XrpcKind = rt::XrpcKind::Subscription;
    });
    params(e, s.parameters.as_ref());
    let message = Body {
        description: None,
        encoding: "application/json".into(),
        schema: s.message.clone(),
    };
    body(
        e,
        Some(&message),
        "Message",
        "validate_message",
        "MESSAGE_ENCODING",
    );
    errors(e, &s.errors);
    Ok(())
}

/// Emit the params items; returns the Rust type of the decoded params.
fn params(e: &mut DocEmitter<'_, '_>, p: Option<&ObjectSchema>) -> TokenStream {
    let owner = format!("{}#main", e.nsid);
    let Some(p) = p else {
        e.items.push(quote! {
            /// Parameter names and kinds (this method takes none).
            pub const PARAMS: &[(&str, rt::ParamKind)] = &[];
            /// Validate parameters (this method takes none, so anything convertible passes).
            pub fn validate_params(value: &::serde_json::Value) -> rt::VResult {
                rt::check_convertible(value, &rt::Path::Root)
            }
        });
        return quote!(rt::Empty);
    };
    e.object_struct("Params", p, &owner, &quote!(#[doc = "Query parameters."]));
    let mut arms = Vec::new();
    let mut kinds = Vec::new();
    for (name, s) in &p.properties {
        kinds.push(param_kind(name, s));
        let missing = if p.is_required(name) && !has_default(s) {
            let msg = format!("must have the property {name:?}");
            quote!(return Err(path.error(#msg)))
        } else {
            quote!({})
        };
        let inner = e.value_check(s);
        arms.push(quote! {
            match view.get(#name) {
                rt::Prop::Missing => #missing,
                rt::Prop::Function => return Err(path.key(#name).error("must not be a function")),
                rt::Prop::Present(v) => {
                    let path = &path.key(#name);
                    let value: &::serde_json::Value = &v;
                    #inner
                }
            }
        });
    }
    e.items.push(quote! {
        /// Parameter names and kinds, for decoding a query string.
        pub const PARAMS: &[(&str, rt::ParamKind)] = &[#(#kinds),*];
        /// Validate decoded parameters (a non-object counts as `{}`, as in the reference).
        #[allow(unused_variables, clippy::all)]
        pub fn validate_params(value: &::serde_json::Value) -> rt::VResult {
            // The reference converts the whole value with jsonToLex first.
            rt::check_convertible(value, &rt::Path::Root)?;
            let empty = ::serde_json::Value::Object(::serde_json::Map::new());
            let value = if rt::is_obj(value) { value } else { &empty };
            let Some(view) = rt::obj_view(value) else { return Ok(()) };
            let path = &rt::Path::Root;
            #(#arms)*
            Ok(())
        }
    });
    quote!(Params)
}

fn has_default(s: &Schema) -> bool {
    matches!(s, Schema::Boolean(b) if b.default.is_some())
        || matches!(s, Schema::Integer(i) if i.default.is_some())
        || matches!(s, Schema::String(st) if st.default.is_some())
}

fn param_kind(name: &str, s: &Schema) -> TokenStream {
    fn scalar(s: &Schema) -> TokenStream {
        match s {
            Schema::Boolean(_) => quote!(rt::ParamKind::Boolean),
            Schema::Integer(_) => quote!(rt::ParamKind::Integer),
            Schema::String(_) => quote!(rt::ParamKind::String),
            _ => quote!(rt::ParamKind::Unknown),
        }
    }
    let k = match s {
        Schema::Array(a) => {
            let inner = scalar(&a.items);
            quote!(rt::ParamKind::Array(&#inner))
        }
        other => scalar(other),
    };
    quote!((#name, #k))
}

/// Emit a body's items; returns its Rust type: the generated one, JSON for a body without
/// a schema, `rt::Empty` when there is no body.
fn body(
    e: &mut DocEmitter<'_, '_>,
    b: Option<&Body>,
    name: &str,
    validate: &str,
    encoding_const: &str,
) -> TokenStream {
    let vfn = ident(validate);
    let enc = ident(encoding_const);
    let Some(b) = b else {
        e.items.push(quote! {
            /// This method declares no body here.
            pub const #enc: ::std::option::Option<&str> = None;
            /// No body is declared, so anything convertible passes.
            pub fn #vfn(value: &::serde_json::Value) -> rt::VResult {
                rt::check_convertible(value, &rt::Path::Root)
            }
        });
        return quote!(rt::Empty);
    };
    let encoding = &b.encoding;
    e.items.push(quote! {
        /// The body's declared encoding.
        pub const #enc: ::std::option::Option<&str> = Some(#encoding);
    });
    let owner = format!("{}#main", e.nsid);
    let ty = ident(name);
    let mut rust_type = quote!(#ty);
    let check = match b.schema.as_deref() {
        None => {
            rust_type = quote!(::serde_json::Value);
            quote!(Ok(()))
        }
        Some(Schema::Object(o)) => {
            let doc = quote!(#[doc = "Body of this method."]);
            e.object_struct(name, o, &owner, &doc);
            let body = e.object_check(o);
            quote!((|| -> rt::VResult { let path = &rt::Path::Root; #body })())
        }
        Some(Schema::Ref(r)) => {
            let t = e.ref_type(&r.target);
            e.items
                .push(quote!(#[doc = "Body of this method."] pub type #ty = #t;));
            must_be_obj(e.g, &r.target)
        }
        Some(s @ Schema::Union(u)) => {
            // `Input` and `Output` are reserved in the scope, so such a union gets a free
            // variant of the name, and the name becomes an alias of it.
            let t = e.rust_type(s, name, &owner);
            if t.to_string() != name {
                e.items
                    .push(quote!(#[doc = "Body of this method."] pub type #ty = #t;));
            }
            let refs = &u.refs;
            let arms = u.refs.iter().map(|r| {
                let c = must_be_obj(e.g, r);
                quote!(Some(#r) => #c,)
            });
            let none = if u.closed {
                let msg = format!("$type must be one of {}", u.refs.join(", "));
                quote!(None => Err(path.error(#msg)),)
            } else {
                quote!(None => Ok(()),)
            };
            quote! {{
                let path = &rt::Path::Root;
                let Some(ty) = rt::discriminator(value) else {
                    return Err(path.error("must be an object which includes the \"$type\" property"));
                };
                match rt::match_union(&[#(#refs),*], ty).map_err(|m| path.error(m))? {
                    #(#arms)*
                    Some(other) => Err(path.error(format!("lexicon not found: {other}"))),
                    #none
                }
            }}
        }
        Some(_) => {
            rust_type = quote!(::serde_json::Value);
            quote!(Ok(()))
        }
    };
    e.items.push(quote! {
        /// Validate a body value exactly as the reference validator would.
        #[allow(unused_variables, clippy::all)]
        pub fn #vfn(value: &::serde_json::Value) -> rt::VResult {
            rt::check_convertible(value, &rt::Path::Root)?;
            #check
        }
    });
    rust_type
}

/// `object(concreteDef)`: an object def is checked fully; any other def only needs an object.
fn must_be_obj(g: &Gen<'_>, target: &str) -> TokenStream {
    match g.cat.def(target) {
        Some(Schema::Object(_)) => {
            let f = g.check_path(target);
            quote!(#f(&rt::Path::Root, value))
        }
        Some(Schema::Record(_)) | Some(_) => quote! {
            if rt::is_obj(value) { Ok(()) } else { Err(rt::Path::Root.error("must be an object")) }
        },
        None => {
            let msg = format!("lexicon not found: {target}");
            quote!(Err(rt::Path::Root.error(#msg)))
        }
    }
}

fn errors(e: &mut DocEmitter<'_, '_>, errors: &[ErrorDecl]) {
    let variants: Vec<_> = errors.iter().map(|x| ident(&camel(&x.name))).collect();
    let names: Vec<_> = errors.iter().map(|x| x.name.as_str()).collect();
    let descs = errors.iter().map(|x| {
        let d = x.description.clone().unwrap_or_else(|| x.name.clone());
        quote!(#[doc = #d])
    });
    let v2 = variants.iter();
    let v3 = variants.iter();
    let n2 = names.iter();
    let n3 = names.iter();
    let v4 = variants.iter();
    // An uninhabited enum matches with `*self`; a reference is always inhabited.
    let message_body = if errors.is_empty() {
        quote!(match *self {})
    } else {
        quote!(match self { #(Self::#v3(m) => m.as_deref(),)* })
    };
    e.items.push(quote! {
        /// The errors this method declares, each with an optional message.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Error {
            #(#descs #variants(::std::option::Option<::std::string::String>),)*
        }
        impl Error {
            /// Every declared error name.
            pub const NAMES: &'static [&'static str] = &[#(#names),*];
            /// The XRPC `error` name.
            pub fn name(&self) -> &'static str {
                match *self { #(Self::#v2(_) => #n2,)* }
            }
            /// The human-readable message, if any.
            pub fn message(&self) -> ::std::option::Option<&str> {
                #message_body
            }
            /// Build from a declared name.
            #[allow(unused_variables)]
            pub fn from_name(name: &str, message: ::std::option::Option<::std::string::String>) -> ::std::option::Option<Self> {
                match name { #(#n3 => Some(Self::#v4(message)),)* _ => None }
            }
        }
        impl ::std::fmt::Display for Error {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.message() {
                    Some(m) => write!(f, "{}: {}", self.name(), m),
                    None => f.write_str(self.name()),
                }
            }
        }
        impl ::std::error::Error for Error {}
        impl rt::MethodError for Error {
            const NAMES: &'static [&'static str] = Error::NAMES;
            fn name(&self) -> &'static str {
                Error::name(self)
            }
            fn message(&self) -> ::std::option::Option<&str> {
                Error::message(self)
            }
        }
        impl ::serde::Serialize for Error {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&rt::XrpcErrorBody { error: self.name(), message: self.message() }, s)
            }
        }
    });
}

/// Root-level items: the method table and record validation by collection.
pub(crate) fn registry(g: &Gen<'_>) -> TokenStream {
    let mut methods = Vec::new();
    let mut records = Vec::new();
    let mut defs = Vec::new();
    for doc in g.cat.docs() {
        for (name, def) in &doc.defs {
            let uri = format!("{}#{}", doc.id, name);
            let module = g.item_path(&uri, "validate_params");
            let call = match def {
                Schema::Object(_) | Schema::Record(_) => {
                    let t = g.type_path(&uri);
                    quote!(#t::validate_json(value))
                }
                Schema::Query(_) => quote!(#module(value)),
                Schema::Subscription(_) => {
                    let f = g.item_path(&uri, "validate_message");
                    quote!(#f(value))
                }
                Schema::Procedure(_) => {
                    let f = g.item_path(&uri, "validate_input");
                    quote!(#f(value))
                }
                _ => {
                    let f = g.check_path(&uri);
                    quote!(rt::check_value(value, #f))
                }
            };
            defs.push(quote!(#uri => Some(#call),));
            if name == "main" {
                let id = &doc.id;
                defs.push(quote!(#id => Some(#call),));
            }
        }
        let uri = format!("{}#main", doc.id);
        let id = &doc.id;
        match doc.defs.get("main") {
            Some(Schema::Query(_)) => methods.push(quote!((#id, rt::XrpcKind::Query))),
            Some(Schema::Procedure(_)) => methods.push(quote!((#id, rt::XrpcKind::Procedure))),
            Some(Schema::Subscription(_)) => {
                methods.push(quote!((#id, rt::XrpcKind::Subscription)))
            }
            Some(Schema::Record(_)) => {
                let t = g.type_path(&uri);
                records.push(quote!(#id => Some(#t::validate_json(value)),));
            }
            _ => {}
        }
    }
    quote! {
        /// Every XRPC method defined by the lexicons, with its kind.
        pub static METHODS: &[(&str, rt::XrpcKind)] = &[#(#methods),*];
        /// Validate a value against a def (`nsid` or `nsid#name`) with the semantics of
        /// `placehook lex validate`: records (with `$type`), objects, query parameters,
        /// procedure input, subscription messages, and any other def as if referenced.
        /// `None` if no such def is compiled in.
        pub fn validate(
            def: &str,
            value: &::serde_json::Value,
        ) -> ::std::option::Option<rt::VResult> {
            match def {
                #(#defs)*
                _ => None,
            }
        }
        /// Validate a record of collection `collection`; `None` for an unknown collection.
        pub fn validate_record(
            collection: &str,
            value: &::serde_json::Value,
        ) -> ::std::option::Option<rt::VResult> {
            match collection {
                #(#records)*
                _ => None,
            }
        }
    }
}
