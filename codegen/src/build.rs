//! The generator as a build script runs it.

use crate::catalog::{lexicon_files, Catalog};
use crate::gen::{generate, Options};
use std::path::Path;

/// Compile every lexicon under `dir` into Rust mounted at `root` (e.g. `crate::lexicon`)
/// and write it to `out`, which must be under `OUT_DIR`. Tells cargo to rerun on any
/// change to `dir` or its files; panics (failing the build) with every problem found,
/// each also printed as a cargo warning.
pub fn compile_dir(dir: &Path, root: &str, out: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let files =
        lexicon_files(dir).unwrap_or_else(|e| panic!("{} is unreadable: {e}", dir.display()));
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let catalog = match Catalog::load_dir(dir) {
        Ok(c) => c,
        Err(problems) => {
            for p in &problems {
                println!("cargo:warning={p}");
            }
            panic!("{} problem(s) in {}", problems.len(), dir.display());
        }
    };
    let code = generate(&catalog, &Options { root: root.into() })
        .unwrap_or_else(|e| panic!("codegen failed for {}: {e}", dir.display()));
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
