//! Test vectors whose verdicts were produced by the reference implementation
//! (`@atproto/lexicon`, see `tools/ref/make-vectors.mjs`): our validators must agree on
//! every one. Vectors against `main` (this repository's `lexicons/`) are also checked with
//! the generated, compiled-in validation.

use placehook::cli::lex::verdict;
use placehook_lex::catalog::Catalog;
use placehook_lex::validate::Validator;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Documents the reference's own lexicon schema rejects but its validator loads anyway;
/// `lex validate` refuses them as schema errors (exit 2), so their vectors do not apply.
const LENIENT: &str = "lenient";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn lexicon_dir(set: &str) -> PathBuf {
    if set == "main" {
        root().join("lexicons")
    } else {
        root().join("tests/fixtures/vectors/lexicons").join(set)
    }
}

#[test]
fn every_reference_vector_gets_the_reference_verdict() {
    let dir = root().join("tests/fixtures/vectors");
    let mut validators: BTreeMap<String, Validator> = BTreeMap::new();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files in {}", dir.display());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let v: Value = serde_json::from_str(line).unwrap();
            let set = v["lexicons"].as_str().unwrap().to_string();
            if set == LENIENT {
                continue;
            }
            let def = v["def"].as_str().unwrap();
            let expected = v["valid"].as_bool().unwrap();
            let input = match v.get("input").and_then(Value::as_str) {
                Some(s) => s.to_string(),
                None => v["value"].to_string(),
            };
            let validator = validators.entry(set.clone()).or_insert_with(|| {
                let cat = Catalog::load_dir_with(&lexicon_dir(&set), false)
                    .expect("fixture lexicons load");
                Validator::new(&cat)
            });
            let entry = validator.entry(def).expect("vector def exists");
            let got = verdict(validator, &entry, &input);
            checked += 1;
            let where_ = format!("{}:{}", file.file_name().unwrap().to_string_lossy(), n + 1);
            if got.is_ok() != expected {
                failures.push(format!(
                    "{where_}: dynamic said {got:?}, reference said valid={expected} ({})",
                    v["note"]
                ));
            }
            if set == "main" {
                if let Ok(value) = serde_json::from_str::<Value>(&input) {
                    let gen = placehook::lexicon::validate(def, &value).expect("def compiled in");
                    if gen.is_ok() != expected {
                        failures.push(format!(
                            "{where_}: generated said {gen:?}, reference said valid={expected}"
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} vectors");
    assert!(
        failures.is_empty(),
        "{} of {checked} vectors disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fixture_sets_are_valid_lexicons() {
    for entry in std::fs::read_dir(root().join("tests/fixtures/vectors/lexicons")).unwrap() {
        let dir = entry.unwrap().path();
        let rejected = Catalog::load_dir_with(Path::new(&dir), false).is_err();
        if dir.ends_with(LENIENT) {
            assert!(rejected, "the lenient set should be refused");
            continue;
        }
        if let Err(problems) = Catalog::load_dir_with(Path::new(&dir), false) {
            panic!("{}: {problems:?}", dir.display());
        }
    }
}
