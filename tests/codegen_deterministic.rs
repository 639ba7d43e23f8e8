//! The code `build.rs` wrote into `OUT_DIR` is exactly what the generator produces now:
//! the build output is a pure function of `lexicons/`.

use placehook_codegen::gen::{generate, Options};
use placehook_lex::catalog::Catalog;
use std::path::Path;

#[test]
fn build_output_is_byte_identical_to_a_fresh_generation() {
    let built = include_str!(concat!(env!("OUT_DIR"), "/lexicons.rs"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons");
    let cat = Catalog::load_dir(&dir).unwrap();
    let fresh = generate(
        &cat,
        &Options {
            root: "crate::lexicon".into(),
        },
    )
    .unwrap();
    assert!(fresh == built, "generated code differs between runs");
}
