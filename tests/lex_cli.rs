//! `placehook lex check` and `placehook lex validate`, run as a user would run them.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn placehook(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_placehook"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("placehook runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `placehook lex validate --lexicons lexicons --def DEF [FILE...]` with `stdin`.
fn validate(def: &str, files: &[&str], stdin: &str) -> Output {
    let mut args = vec!["lex", "validate", "--lexicons", "lexicons", "--def", def];
    args.extend_from_slice(files);
    placehook(&args, stdin)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn check_accepts_the_shipped_lexicons_silently() {
    let o = placehook(&["lex", "check", "lexicons"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn check_prints_one_line_per_problem_with_file_and_json_path() {
    let dir = "tests/fixtures/codegen/invalid";
    let o = placehook(&["lex", "check", dir], "");
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let expected = std::fs::read_to_string(Path::new(dir).join("EXPECTED")).unwrap();
    for line in expected.lines() {
        let mut cols = line.split('\t');
        let (file, path) = (cols.next().unwrap(), cols.next().unwrap());
        let prefix = format!("{dir}/{file}: {path}: ");
        assert!(
            out.lines().any(|l| l.starts_with(&prefix)),
            "missing `{prefix}` in:\n{out}"
        );
    }
}

#[test]
fn validate_streams_one_verdict_per_line_in_order() {
    let lines = [
        r#"{"$type":"place.stream.chat.message","text":"hi","createdAt":"2024-01-01T00:00:00Z","streamer":"did:plc:abc"}"#,
        r#"{"$type":"place.stream.chat.message","text":"hi","createdAt":"2024-01-00T00:00:00Z","streamer":"did:plc:abc"}"#,
        r#"not json"#,
        r#"{"$type":"place.stream.chat.message","text":"hi","createdAt":"2024-01-01T00:00:00Z"}"#,
    ];
    let o = validate("place.stream.chat.message", &[], &(lines.join("\n") + "\n"));
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let verdicts: Vec<&str> = out.lines().collect();
    assert_eq!(verdicts.len(), 4, "{out}");
    assert_eq!(verdicts[0], "valid");
    assert!(
        verdicts[1].starts_with("invalid: $.createdAt: "),
        "{}",
        verdicts[1]
    );
    assert!(
        verdicts[2].starts_with("invalid: $: invalid JSON"),
        "{}",
        verdicts[2]
    );
    assert_eq!(
        verdicts[3],
        "invalid: $: must have the property \"streamer\""
    );
}

#[test]
fn validate_exits_zero_when_all_valid_and_two_on_usage_errors() {
    let ok = r#"{"url":"https://example.com/hook","events":["chat"]}"#;
    let create = validate("place.stream.server.createWebhook", &[], ok);
    assert_eq!(create.status.code(), Some(0));
    assert_eq!(
        validate("place.stream.nope", &[], ok).status.code(),
        Some(2)
    );
    let bad_dir = [
        "lex",
        "validate",
        "--lexicons",
        "tests/fixtures/codegen/invalid",
        "--def",
        "x.y.z",
    ];
    assert_eq!(placehook(&bad_dir, ok).status.code(), Some(2));
    assert_eq!(placehook(&["lex", "validate"], ok).status.code(), Some(2));
}

#[test]
fn validate_reads_files_when_given() {
    let dir = std::env::temp_dir().join(format!("placehook-lex-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.json");
    let bad = dir.join("bad.json");
    std::fs::write(&good, r#"{"id": "x"}"#).unwrap();
    std::fs::write(&bad, r#"{"id": 5}"#).unwrap();
    let o = validate(
        "place.stream.server.deleteWebhook",
        &[good.to_str().unwrap(), bad.to_str().unwrap()],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains(&format!("{}: valid", good.display())), "{out}");
    assert!(
        out.contains(&format!(
            "{}: invalid: $.id: must be a string",
            bad.display()
        )),
        "{out}"
    );
}

/// Properties are checked in the lexicon file's order, as the reference checks them:
/// `createWebhook` lists `url` before `events`, so `{}` lacks `url` first.
#[test]
fn validate_names_the_first_missing_property_in_file_order() {
    let o = validate(
        "place.stream.server.createWebhook",
        &[],
        "{}\n{\"url\":\"https://example.com/\"}\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "invalid: $: must have the property \"url\"\n\
         invalid: $: must have the property \"events\"\n"
    );
}

/// A FILE that cannot be read is a usage error (exit 2) named on stderr, and no verdict
/// is printed, not an `invalid` value (exit 1).
#[test]
fn validate_refuses_unreadable_files_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, r#"{"id": "x"}"#).unwrap();
    let missing = dir.path().join("missing.json");
    for unreadable in [&missing, &dir.path().to_path_buf()] {
        let o = validate(
            "place.stream.server.deleteWebhook",
            &[good.to_str().unwrap(), unreadable.to_str().unwrap()],
            "",
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert_eq!(stdout(&o), "");
        assert!(
            stderr.contains(&format!("error: cannot read {}: ", unreadable.display())),
            "{stderr}"
        );
    }
}

/// A bound of one is singular in messages (the reference says "1 characters"; paths are
/// what the differential test compares).
#[test]
fn validate_messages_say_1_byte() {
    let o = validate(
        "place.stream.server.createWebhook",
        &[],
        r#"{"url":"https://example.com/","events":["chat"],"rewrite":[{"from":"","to":"x"}]}"#,
    );
    assert_eq!(
        stdout(&o),
        "invalid: $.rewrite[0].from: must not be shorter than 1 byte\n"
    );
}
