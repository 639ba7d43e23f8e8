//! Compiles the edge-case fixture lexicons in `tests/fixtures/codegen/valid` (at the
//! workspace root) into Rust, written only to `OUT_DIR`, as the service's build.rs compiles
//! `lexicons/`.

use std::path::{Path, PathBuf};

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    placehook_codegen::build::compile_dir(
        Path::new("../tests/fixtures/codegen/valid"),
        "crate",
        &out.join("fixtures.rs"),
    );
}
