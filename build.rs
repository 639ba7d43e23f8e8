//! Compiles every lexicon under `lexicons/` into Rust (types, validation, method metadata),
//! written only to `OUT_DIR`.

use placehook_codegen::catalog::{lexicon_files, Catalog};
use placehook_codegen::gen::{generate, Options};
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from("lexicons");
    println!("cargo:rerun-if-changed=lexicons");
    let files = lexicon_files(&dir).expect("lexicons/ is readable");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let catalog = match Catalog::load_dir(&dir) {
        Ok(c) => c,
        Err(problems) => {
            for p in &problems {
                println!("cargo:warning={p}");
            }
            panic!("{} problem(s) in lexicons/", problems.len());
        }
    };
    let opts = Options {
        root: "crate::lexicon".into(),
    };
    let code = generate(&catalog, &opts).unwrap_or_else(|e| panic!("codegen failed: {e}"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("lexicons.rs"), code).expect("OUT_DIR is writable");
}
