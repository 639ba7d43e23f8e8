//! `placehook lex check` and `placehook lex validate`.

use clap::Subcommand;
use placehook_lex::catalog::{lexicon_files, Catalog};
use placehook_lex::validate::{Entry, Validator};
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Exit code: every input valid.
pub const EXIT_VALID: i32 = 0;
/// Exit code: at least one input invalid.
pub const EXIT_INVALID: i32 = 1;
/// Exit code: usage or schema error.
pub const EXIT_USAGE: i32 = 2;

/// `placehook lex ...`
#[derive(Debug, Subcommand)]
pub enum LexCommand {
    /// Check lexicon documents (files or directories); one line per problem.
    Check {
        /// Lexicon files or directories (searched recursively for *.json).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Validate JSON values against a def, with the reference validator's semantics.
    ///
    /// With no FILE, reads JSON Lines from stdin and prints one verdict per line, in
    /// order: `valid` or `invalid: <json path>: <reason>`. With FILEs, each file holds one
    /// JSON value and its verdict is printed after the file name.
    Validate {
        /// Directory of lexicon documents to load.
        #[arg(long)]
        lexicons: PathBuf,
        /// The def to validate against: NSID (for main) or NSID#name.
        #[arg(long)]
        def: String,
        /// JSON files to validate (default: JSON Lines on stdin).
        files: Vec<PathBuf>,
    },
}

/// Run a `lex` command; returns the exit code.
pub fn run(cmd: LexCommand) -> i32 {
    match cmd {
        LexCommand::Check { paths } => check(&paths),
        LexCommand::Validate {
            lexicons,
            def,
            files,
        } => {
            // Inputs may nest up to jsjson::MAX_DEPTH levels and parsing, validation and
            // drop all recurse; a large (virtual, lazily committed) stack keeps that safe.
            let worker = std::thread::Builder::new()
                .stack_size(256 << 20)
                .spawn(move || validate(&lexicons, &def, &files));
            match worker.map(|h| h.join()) {
                Ok(Ok(code)) => code,
                _ => {
                    eprintln!("error: validation worker failed");
                    EXIT_USAGE
                }
            }
        }
    }
}

fn check(paths: &[PathBuf]) -> i32 {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            match lexicon_files(p) {
                Ok(f) => files.extend(f),
                Err(e) => {
                    eprintln!("{}: cannot read directory: {e}", p.display());
                    return EXIT_USAGE;
                }
            }
        } else {
            files.push(p.clone());
        }
    }
    let (catalog, mut problems) = Catalog::load_files(&files);
    // Refs into documents that were not given cannot be checked; refs into given
    // documents must name a def that exists.
    problems.extend(catalog.unresolved_refs(false));
    for p in &problems {
        println!("{p}");
    }
    if problems.is_empty() {
        EXIT_VALID
    } else {
        EXIT_INVALID
    }
}

fn validate(lexicons: &Path, def: &str, files: &[PathBuf]) -> i32 {
    // Dangling refs are allowed: a value fails only if it reaches one.
    let catalog = match Catalog::load_dir_with(lexicons, false) {
        Ok(c) => c,
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            return EXIT_USAGE;
        }
    };
    let validator = Validator::new(&catalog);
    let entry = match validator.entry(def) {
        Ok(e) => e,
        Err(msg) => {
            eprintln!("{msg}");
            return EXIT_USAGE;
        }
    };
    // A FILE that cannot be read is a usage error (a typo, a directory), not an invalid
    // value: say so before printing any verdict.
    let inputs = match read_files(files) {
        Ok(inputs) => inputs,
        Err(unreadable) => {
            for (f, e) in unreadable {
                eprintln!("error: cannot read {}: {e}", f.display());
            }
            return EXIT_USAGE;
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut any_invalid = false;
    let result = if files.is_empty() {
        validate_lines(&validator, &entry, &mut out, &mut any_invalid)
    } else {
        validate_files(&validator, &entry, &inputs, &mut out, &mut any_invalid)
    };
    if let Err(e) = result.and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    }
    if any_invalid {
        EXIT_INVALID
    } else {
        EXIT_VALID
    }
}

/// The verdict line for one JSON text.
pub fn verdict(validator: &Validator, entry: &Entry, text: &str) -> Result<(), String> {
    // JSON.parse's rules, not serde_json's: the reference accepts lone surrogates, numbers
    // beyond f64 and deep nesting.
    let value =
        placehook_lexrt::js::json::parse(text).map_err(|e| format!("$: invalid JSON: {e}"))?;
    validator.validate(entry, &value).map_err(|e| e.to_string())
}

fn validate_lines(
    validator: &Validator,
    entry: &Entry,
    out: &mut impl Write,
    any_invalid: &mut bool,
) -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut input = std::io::BufReader::with_capacity(1 << 16, stdin.lock());
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        let result = match std::str::from_utf8(&line) {
            Ok(text) => verdict(validator, entry, text),
            Err(_) => Err("$: invalid JSON: not UTF-8".to_string()),
        };
        match result {
            Ok(()) => out.write_all(b"valid\n")?,
            Err(msg) => {
                *any_invalid = true;
                writeln!(out, "invalid: {msg}")?;
            }
        }
    }
    Ok(())
}

/// A FILE argument and its contents.
type Input<'a> = (&'a Path, Vec<u8>);

/// Each file's bytes, or every file that could not be read and why.
fn read_files(files: &[PathBuf]) -> Result<Vec<Input<'_>>, Vec<(&Path, std::io::Error)>> {
    let mut read = Vec::new();
    let mut unreadable = Vec::new();
    for f in files {
        match std::fs::read(f) {
            Ok(bytes) => read.push((f.as_path(), bytes)),
            Err(e) => unreadable.push((f.as_path(), e)),
        }
    }
    if unreadable.is_empty() {
        Ok(read)
    } else {
        Err(unreadable)
    }
}

fn validate_files(
    validator: &Validator,
    entry: &Entry,
    inputs: &[Input<'_>],
    out: &mut impl Write,
    any_invalid: &mut bool,
) -> std::io::Result<()> {
    for (f, bytes) in inputs {
        // Content that is not UTF-8 is an invalid value, as a line of it on stdin is.
        let result = match std::str::from_utf8(bytes) {
            Ok(text) => verdict(validator, entry, text),
            Err(_) => Err("$: invalid JSON: not UTF-8".to_string()),
        };
        match result {
            Ok(()) => writeln!(out, "{}: valid", f.display())?,
            Err(msg) => {
                *any_invalid = true;
                writeln!(out, "{}: invalid: {msg}", f.display())?;
            }
        }
    }
    Ok(())
}
