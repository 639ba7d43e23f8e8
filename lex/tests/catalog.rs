//! The lexicon parser and catalog on the fixture lexicons in `tests/fixtures/codegen` and on
//! small documents: invalid documents are rejected with the JSON path of the problem, refs
//! must resolve, and properties keep the file's order.

use placehook_lex::catalog::Catalog;
use placehook_lex::schema::Schema;
use placehook_lex::validate::Validator;
use serde_json::json;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/codegen")
}

#[test]
fn invalid_documents_name_the_file_and_json_path() {
    let dir = fixtures().join("invalid");
    let expected = std::fs::read_to_string(dir.join("EXPECTED")).unwrap();
    let mut seen = 0;
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        let mut cols = line.split('\t');
        let (file, path, msg) = (
            cols.next().unwrap(),
            cols.next().unwrap(),
            cols.next().unwrap(),
        );
        let (_, problems) = Catalog::load_files(&[dir.join(file)]);
        assert!(
            problems.iter().any(|p| p.problem.path == path
                && p.problem.message.contains(msg)
                && p.file.ends_with(file)),
            "{file}: expected `{path}: ...{msg}...`, got {problems:#?}"
        );
        let shown = problems[0].to_string();
        assert!(
            shown.starts_with(&dir.join(file).display().to_string()),
            "{shown}"
        );
        seen += 1;
    }
    let files = std::fs::read_dir(&dir).unwrap().count() - 1;
    assert_eq!(seen, files, "every invalid fixture has an EXPECTED line");
}

#[test]
fn dangling_refs_are_refused_for_codegen() {
    let dir = tempdir();
    std::fs::write(
        dir.join("a.json"),
        r#"{"lexicon":1,"id":"io.placehook.x.a","defs":{"main":{"type":"object","properties":{"r":{"type":"ref","ref":"io.placehook.x.missing"}}}}}"#,
    )
    .unwrap();
    let problems = Catalog::load_dir(&dir).unwrap_err();
    assert_eq!(problems[0].problem.path, "$.defs.main.properties.r.ref");
    assert!(Catalog::load_dir_with(&dir, false).is_ok());
}

/// Properties keep the file's order (JavaScript's: array-index keys first), which decides
/// which failure the validator reports first, as in the reference.
#[test]
fn properties_keep_the_files_order() {
    let dir = tempdir().join("order");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("o.json"),
        r#"{"lexicon":1,"id":"io.placehook.x.o","defs":{
             "main":{"type":"procedure","parameters":{"type":"params","required":["zeta","alpha"],
                       "properties":{"zeta":{"type":"string"},"alpha":{"type":"string"}}},
                     "input":{"encoding":"application/json","schema":{"type":"object",
                       "required":["url","events","1","0"],
                       "properties":{"url":{"type":"string"},"events":{"type":"string"},
                                     "1":{"type":"string"},"0":{"type":"string"}}}}},
             "rec":{"type":"object","required":["b","a"],
                    "properties":{"b":{"type":"integer"},"a":{"type":"integer"}}}}}"#,
    )
    .unwrap();
    let cat = Catalog::load_dir(&dir).unwrap();
    let Some(Schema::Object(rec)) = cat.def("io.placehook.x.o#rec") else {
        panic!("rec is an object")
    };
    let names: Vec<&str> = rec.properties.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["b", "a"]);
    let Some(Schema::Procedure(m)) = cat.def("io.placehook.x.o") else {
        panic!("main is a procedure")
    };
    let params: Vec<&str> = m
        .parameters
        .as_ref()
        .unwrap()
        .properties
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(params, ["zeta", "alpha"]);
    let Some(Schema::Object(input)) = m.input.as_ref().unwrap().schema.as_deref() else {
        panic!("the input is an object")
    };
    let input: Vec<&str> = input.properties.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(input, ["0", "1", "url", "events"]);

    let v = Validator::new(&cat);
    let missing = |def: &str, value: serde_json::Value| {
        v.validate(&v.entry(def).unwrap(), &value)
            .unwrap_err()
            .message
    };
    assert_eq!(
        missing("io.placehook.x.o#rec", json!({})),
        r#"must have the property "b""#
    );
    assert_eq!(
        missing("io.placehook.x.o", json!({})),
        r#"must have the property "0""#
    );
    assert_eq!(
        missing("io.placehook.x.o", json!({"0": "", "1": ""})),
        r#"must have the property "url""#
    );
}

fn tempdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("placehook-lex-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
