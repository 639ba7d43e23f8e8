//! Compiles every lexicon under `lexicons/` into Rust (types, validation, method metadata),
//! written only to `OUT_DIR`. (The codegen test fixtures are compiled by the test-only
//! `codegen-fixtures/` crate, not here.)

use std::path::{Path, PathBuf};

fn main() {
    // `store/migrate.rs` embeds these with `include_str!`; a new file must trigger a rebuild.
    println!("cargo:rerun-if-changed=migrations");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    placehook_codegen::build::compile_dir(
        Path::new("lexicons"),
        "crate::lexicon",
        &out.join("lexicons.rs"),
    );
}
