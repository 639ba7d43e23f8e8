//! A set of lexicon documents loaded from files, with refs resolvable across documents.

use crate::keyorder::KeyOrder;
use crate::parse::{parse_doc_ordered, path_key, Problem};
use crate::schema::{LexiconDoc, Schema};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A problem in one lexicon file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// The file the problem is in.
    pub file: PathBuf,
    /// The problem, with its JSON path inside the file.
    pub problem: Problem,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.problem)
    }
}

/// Lexicon documents keyed by NSID.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    docs: BTreeMap<String, LexiconDoc>,
    sources: BTreeMap<String, PathBuf>,
}

impl Catalog {
    /// Load every `*.json` file under `dir` (recursively); all refs must resolve.
    pub fn load_dir(dir: &Path) -> Result<Catalog, Vec<FileProblem>> {
        Catalog::load_dir_with(dir, true)
    }

    /// Like [`Catalog::load_dir`], optionally tolerating refs to missing defs (validation
    /// fails only when a value reaches one, as in the reference implementation).
    pub fn load_dir_with(dir: &Path, require_refs: bool) -> Result<Catalog, Vec<FileProblem>> {
        let files = lexicon_files(dir).map_err(|e| {
            vec![FileProblem {
                file: dir.to_path_buf(),
                problem: Problem {
                    path: "$".into(),
                    message: format!("cannot read directory: {e}"),
                },
            }]
        })?;
        let (cat, mut problems) = Catalog::load_files(&files);
        if require_refs {
            problems.extend(cat.unresolved_refs(true));
        }
        if problems.is_empty() {
            Ok(cat)
        } else {
            Err(problems)
        }
    }

    /// Load the given files, collecting problems instead of stopping at the first.
    pub fn load_files(files: &[PathBuf]) -> (Catalog, Vec<FileProblem>) {
        let mut cat = Catalog::default();
        let mut problems = Vec::new();
        for file in files {
            let one = |message: String| FileProblem {
                file: file.clone(),
                problem: Problem {
                    path: "$".into(),
                    message,
                },
            };
            let text = match std::fs::read(file) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(one(format!("cannot read file: {e}")));
                    continue;
                }
            };
            let value: serde_json::Value = match serde_json::from_slice(&text) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(one(format!("invalid JSON: {e}")));
                    continue;
                }
            };
            // The same text parsed: it cannot fail where `from_slice` did not.
            let order = KeyOrder::of_json(&text).unwrap_or_default();
            match parse_doc_ordered(&value, &order) {
                Ok(doc) => {
                    if let Some(prev) = cat.sources.get(&doc.id) {
                        problems.push(one(format!(
                            "lexicon id {} is also defined in {}",
                            doc.id,
                            prev.display()
                        )));
                        continue;
                    }
                    cat.sources.insert(doc.id.clone(), file.clone());
                    cat.docs.insert(doc.id.clone(), doc);
                }
                Err(ps) => problems.extend(ps.into_iter().map(|problem| FileProblem {
                    file: file.clone(),
                    problem,
                })),
            }
        }
        (cat, problems)
    }

    /// Add an already-parsed document (for tests and embedded use).
    pub fn insert(&mut self, doc: LexiconDoc, source: PathBuf) {
        self.sources.insert(doc.id.clone(), source);
        self.docs.insert(doc.id.clone(), doc);
    }

    /// All documents, sorted by NSID.
    pub fn docs(&self) -> impl Iterator<Item = &LexiconDoc> {
        self.docs.values()
    }

    /// The document with this NSID.
    pub fn doc(&self, nsid: &str) -> Option<&LexiconDoc> {
        self.docs.get(nsid)
    }

    /// The file a document came from.
    pub fn source(&self, nsid: &str) -> Option<&Path> {
        self.sources.get(nsid).map(PathBuf::as_path)
    }

    /// Look up a def by absolute ref (`nsid#name`, or a bare `nsid` for `main`).
    pub fn def(&self, uri: &str) -> Option<&Schema> {
        let (nsid, name) = uri.split_once('#').unwrap_or((uri, "main"));
        self.docs.get(nsid)?.defs.get(name)
    }

    /// Refs whose target def does not exist. With `require_docs` false, refs into
    /// documents that are not loaded at all are tolerated (checking a single file).
    pub fn unresolved_refs(&self, require_docs: bool) -> Vec<FileProblem> {
        let mut out = Vec::new();
        for doc in self.docs.values() {
            for (name, def) in &doc.defs {
                let base = format!("$.defs.{}", path_key(name));
                walk_refs(def, &base, &mut |path, target| {
                    let (nsid, _) = target.split_once('#').unwrap_or((target, "main"));
                    if self.def(target).is_some()
                        || (!require_docs && !self.docs.contains_key(nsid))
                    {
                        return;
                    }
                    out.push(FileProblem {
                        file: self.sources.get(&doc.id).cloned().unwrap_or_default(),
                        problem: Problem {
                            path: path.to_string(),
                            message: format!("ref {target} does not resolve to a def"),
                        },
                    });
                });
            }
        }
        out
    }
}

/// Call `f(json_path, target)` for every ref and union member inside `s`.
pub fn walk_refs(s: &Schema, path: &str, f: &mut dyn FnMut(&str, &str)) {
    match s {
        Schema::Ref(r) => f(&format!("{path}.ref"), &r.target),
        Schema::Union(u) => {
            for (i, r) in u.refs.iter().enumerate() {
                f(&format!("{path}.refs[{i}]"), r);
            }
        }
        Schema::Array(a) => walk_refs(&a.items, &format!("{path}.items"), f),
        Schema::Object(o) | Schema::Params(o) => {
            for (k, p) in &o.properties {
                walk_refs(p, &format!("{path}.properties.{}", path_key(k)), f);
            }
        }
        Schema::Record(r) => {
            for (k, p) in &r.record.properties {
                walk_refs(p, &format!("{path}.record.properties.{}", path_key(k)), f);
            }
        }
        Schema::Query(m) | Schema::Procedure(m) => {
            if let Some(p) = &m.parameters {
                walk_refs(&Schema::Params(p.clone()), &format!("{path}.parameters"), f);
            }
            for (key, body) in [("input", &m.input), ("output", &m.output)] {
                if let Some(s) = body.as_ref().and_then(|b| b.schema.as_ref()) {
                    walk_refs(s, &format!("{path}.{key}.schema"), f);
                }
            }
        }
        Schema::Subscription(sub) => {
            if let Some(p) = &sub.parameters {
                walk_refs(&Schema::Params(p.clone()), &format!("{path}.parameters"), f);
            }
            if let Some(m) = &sub.message {
                walk_refs(m, &format!("{path}.message.schema"), f);
            }
        }
        _ => {}
    }
}

/// Every `*.json` file under `dir`, sorted (deterministic order).
pub fn lexicon_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
