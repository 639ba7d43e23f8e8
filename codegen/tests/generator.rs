//! The generator on the fixture lexicons in `tests/fixtures/codegen/valid`: the output is
//! Rust that parses, has the expected shapes, and is deterministic.

use placehook_codegen::gen::{generate, Options};
use placehook_lex::catalog::{lexicon_files, Catalog};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/codegen")
}

fn opts() -> Options {
    Options {
        root: "crate::fixtures".into(),
    }
}

#[test]
fn valid_fixtures_generate_parseable_rust() {
    let cat = Catalog::load_dir(&fixtures().join("valid")).unwrap();
    let code = generate(&cat, &opts()).unwrap();
    assert!(code.starts_with("// @generated"));
    syn::parse_file(&code).unwrap();
    // Compare without whitespace and commas: prettyplease wraps long types and adds
    // trailing commas inside wrapped generics.
    let flat: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect();
    let node = "crate::fixtures::io::placehook::fixture::tree::Node";
    let left = format!("publeft:::std::option::Option<::std::boxed::Box<{node}>>");
    let children = format!("pubchildren:::std::option::Option<::std::vec::Vec<{node}>>");
    for needle in [
        "pubr#type:MainType",
        "pubself_:bool",
        "pubr#match:i64",
        "pubtitle_lang:::std::string::String",
        left.as_str(),
        children.as_str(),
        "pubenumError",
        "pubconstPINE:&str",
    ] {
        assert!(flat.contains(needle), "generated code lacks `{needle}`");
    }
    // `root` refers to `node`, which cannot contain the record again: no box.
    assert!(flat.contains(&format!("pubroot:{node}")));
    assert!(!flat.contains("pubroot:::std::boxed::Box"));
}

#[test]
fn generation_is_deterministic_whatever_the_file_order() {
    let dir = fixtures().join("valid");
    let a = generate(&Catalog::load_dir(&dir).unwrap(), &opts()).unwrap();
    let b = generate(&Catalog::load_dir(&dir).unwrap(), &opts()).unwrap();
    assert_eq!(a, b);
    let mut files = lexicon_files(&dir).unwrap();
    files.reverse();
    let (reversed, problems) = Catalog::load_files(&files);
    assert!(problems.is_empty());
    assert_eq!(generate(&reversed, &opts()).unwrap(), a);
}
