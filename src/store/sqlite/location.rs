//! Which local file a `--database` value names, for callers that must tell a missing
//! database from an empty one (the `token` commands) without opening it.

use std::path::PathBuf;

/// The file a `--database` value names, as `Store::open` reads it (a path, or a
/// `sqlite:` URL whose query parameters SQLite reads); `None` for an in-memory database.
pub(crate) fn database_file(database: &str) -> Option<PathBuf> {
    if database.contains(":memory:") || database.contains("mode=memory") {
        return None;
    }
    let Some(rest) = database.strip_prefix("sqlite:") else {
        return Some(PathBuf::from(database));
    };
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    match rest.split_once('?') {
        // An SQLite URI: its path is percent-encoded.
        Some((path, _)) => Some(PathBuf::from(percent_decode(path))),
        None => Some(PathBuf::from(rest)),
    }
}

/// `%XX` escapes decoded (SQLite decodes them in URI paths); anything else kept as is.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let hex = |c: u8| (c as char).to_digit(16);
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_values_name_the_file_store_open_reads() {
        let file = |s| database_file(s).map(|p| p.display().to_string());
        assert_eq!(
            file("placehook.sqlite").as_deref(),
            Some("placehook.sqlite")
        );
        assert_eq!(file("sqlite:x.db").as_deref(), Some("x.db"));
        assert_eq!(file("sqlite://data/x.db").as_deref(), Some("data/x.db"));
        assert_eq!(file("sqlite:///abs/x.db").as_deref(), Some("/abs/x.db"));
        assert_eq!(
            file("sqlite://a%20b.db?mode=rwc").as_deref(),
            Some("a b.db")
        );
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("sqlite:x?mode=memory&cache=shared"), None);
    }

    #[test]
    fn percent_decoding_keeps_stray_percents() {
        assert_eq!(percent_decode("a%2Fb%"), "a/b%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("100%zz"), "100%zz");
    }
}
