//! Compiles every lexicon under `lexicons/` into Rust (types, validation, method metadata),
//! written only to `OUT_DIR`. The codegen test fixtures are compiled the same way, so the
//! integration tests can exercise generated code for edge-case lexicons.

use placehook_codegen::gen::{generate, Options};
use placehook_lex::catalog::{lexicon_files, Catalog};
use std::path::{Path, PathBuf};

fn compile(dir: &Path, root: &str, out: &Path) {
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

fn main() {
    // `store/migrate.rs` embeds these with `include_str!`; a new file must trigger a rebuild.
    println!("cargo:rerun-if-changed=migrations");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    compile(
        Path::new("lexicons"),
        "crate::lexicon",
        &out.join("lexicons.rs"),
    );
    compile(
        Path::new("tests/fixtures/codegen/valid"),
        "crate::fixtures",
        &out.join("fixtures.rs"),
    );
}
