//! The text transforms a webhook configures (prefix/suffix, rewrite rules, mute words),
//! plus anti-ping and Discord's length limits. All pure.

use crate::model::{Rewrite, WebhookSettings};

/// Discord's limit on `content`, in characters; longer content is refused with 400.
pub const CONTENT_MAX_CHARS: usize = 2000;
/// Discord's limit on a webhook `username`, in characters.
pub const USERNAME_MAX_CHARS: usize = 80;
/// Discord's limit on an embed `title`, in characters.
pub const EMBED_TITLE_MAX_CHARS: usize = 256;

/// The most bytes one rewrite rule's output may hold. Twice what a 2,000-character
/// Discord message can take (8,000 bytes), so a chain that grows text and shrinks it
/// again within that room renders exactly as without the bound.
pub const REWRITE_MAX_BYTES: usize = 16 * 1024;
/// The most bytes the rewrite rules of one rendering may read and write in all: about
/// 2,000 rules each rewriting a full [`REWRITE_MAX_BYTES`]; under 0.1 s even in a debug
/// build (`render::text` tests).
pub const REWRITE_WORK_BYTES: usize = 64 * 1024 * 1024;

const ZWSP: &str = "\u{200B}";

/// The rewrite rules would take more than [`REWRITE_WORK_BYTES`] of work; nothing is
/// sent, since a message with only some of its rules applied could show what an owner
/// meant to rewrite.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the rewrite rules need more than {REWRITE_WORK_BYTES} bytes of work \
     (stopped before rule {}); use fewer rules or rules that grow the text less",
    applied + 1
)]
pub struct RewriteTooCostly {
    /// How many rules had been applied when the budget ran out.
    pub applied: usize,
}

/// A webhook's text settings, with absent fields read as empty.
#[derive(Debug, Clone, Copy)]
pub struct Transforms<'a> {
    prefix: &'a str,
    suffix: &'a str,
    rules: &'a [Rewrite],
    mute_words: &'a [String],
}

impl<'a> Transforms<'a> {
    /// The settings of `webhook`.
    pub fn of(webhook: &'a WebhookSettings) -> Self {
        Transforms {
            prefix: webhook.prefix.as_deref().unwrap_or(""),
            suffix: webhook.suffix.as_deref().unwrap_or(""),
            rules: &webhook.rewrite,
            mute_words: &webhook.mute_words,
        }
    }

    /// `prefix + body + suffix`.
    pub fn affix(&self, body: &str) -> String {
        [self.prefix, body, self.suffix].concat()
    }

    /// The rewrite rules in array order, each a literal, case-sensitive replace-all on the
    /// previous rule's output (so a later rule sees what an earlier one produced).
    ///
    /// Bounded, because rules compound: six rules `a` -> 100 × `a` would need about
    /// 10^12 bytes. Each rule's output is cut at [`REWRITE_MAX_BYTES`] (at a character
    /// boundary; Discord's cut to 2,000 characters comes later), and the rules of one
    /// rendering may scan and write at most [`REWRITE_WORK_BYTES`] in all, which bounds
    /// the time a webhook with thousands of rules can take.
    pub fn rewrite(&self, text: &str) -> Result<String, RewriteTooCostly> {
        let mut acc = String::with_capacity(text.len().min(REWRITE_MAX_BYTES));
        push_capped(&mut acc, text, REWRITE_MAX_BYTES);
        let mut work = 0usize;
        // An empty `from` would insert `to` between every character; the lexicon
        // forbids it, but the store is not the place to trust for that.
        for (applied, rule) in self.rules.iter().filter(|r| !r.from.is_empty()).enumerate() {
            let next = replace_capped(&acc, &rule.from, &rule.to, REWRITE_MAX_BYTES);
            work += acc.len() + next.len();
            if work > REWRITE_WORK_BYTES {
                return Err(RewriteTooCostly { applied });
            }
            acc = next;
        }
        Ok(acc)
    }

    /// Whether `raw` contains any mute word, case-insensitively. Empty mute words match
    /// nothing (otherwise one stray `""` would silence every message).
    pub fn is_muted(&self, raw: &str) -> bool {
        let raw = raw.to_lowercase();
        self.mute_words
            .iter()
            .filter(|w| !w.is_empty())
            .any(|w| raw.contains(&w.to_lowercase()))
    }
}

/// Defuse Discord pings: `@here`, `@everyone` and `<@` (user, role and nickname
/// mentions) get a zero-width space after the `@`.
pub fn anti_ping(text: &str) -> String {
    text.replace("@here", &format!("@{ZWSP}here"))
        .replace("@everyone", &format!("@{ZWSP}everyone"))
        .replace("<@", &format!("<@{ZWSP}"))
}

/// `text` with every `from` replaced by `to`, cut at `max` bytes; stops searching once
/// the cut is reached, so the work is bounded by `text` and `max`.
fn replace_capped(text: &str, from: &str, to: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max));
    let mut last = 0;
    for (at, _) in text.match_indices(from) {
        if !push_capped(&mut out, &text[last..at], max) || !push_capped(&mut out, to, max) {
            return out;
        }
        last = at + from.len();
    }
    push_capped(&mut out, &text[last..], max);
    out
}

/// Appends as much of `s` as fits in `max` bytes (never splitting a character); whether
/// all of it did.
fn push_capped(out: &mut String, s: &str, max: usize) -> bool {
    let room = max.saturating_sub(out.len());
    if s.len() <= room {
        out.push_str(s);
        return true;
    }
    let mut end = room;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    out.push_str(&s[..end]);
    false
}

/// `text` cut to at most `max` characters (never inside a UTF-8 sequence), the last of
/// them an ellipsis when anything was cut.
pub fn truncate(mut text: String, max: usize) -> String {
    let mut chars = text.char_indices();
    let Some((last, _)) = max.checked_sub(1).and_then(|i| chars.nth(i)) else {
        // `max` is 0, or the text is shorter than `max`.
        if max == 0 {
            text.clear();
        }
        return text;
    };
    if chars.next().is_some() {
        text.truncate(last);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(pairs: &[(&str, &str)]) -> Vec<Rewrite> {
        pairs
            .iter()
            .map(|(from, to)| Rewrite {
                from: (*from).into(),
                to: (*to).into(),
            })
            .collect()
    }

    fn with_rules(rules: &[Rewrite]) -> Transforms<'_> {
        Transforms {
            prefix: "",
            suffix: "",
            rules,
            mute_words: &[],
        }
    }

    #[test]
    fn affix_concatenates() {
        let t = Transforms {
            prefix: "[Streamplace] ",
            suffix: "!",
            rules: &[],
            mute_words: &[],
        };
        assert_eq!(t.affix("hello world"), "[Streamplace] hello world!");
    }

    #[test]
    fn anti_ping_defuses_every_ping_form() {
        assert_eq!(anti_ping("@here"), "@\u{200B}here");
        assert_eq!(anti_ping("@everyone"), "@\u{200B}everyone");
        assert_eq!(anti_ping("<@123>"), "<@\u{200B}123>");
        assert_eq!(anti_ping("<@&42> <@!7>"), "<@\u{200B}&42> <@\u{200B}!7>");
        assert_eq!(anti_ping("mail a@b.c, no ping"), "mail a@b.c, no ping");
    }

    #[test]
    fn rewrite_chain_feeds_each_rule_the_previous_output() {
        let r = rules(&[("a", "b"), ("b", "c")]);
        assert_eq!(with_rules(&r).rewrite("a").unwrap(), "c");
        let reversed = rules(&[("b", "c"), ("a", "b")]);
        assert_eq!(with_rules(&reversed).rewrite("a").unwrap(), "b");
    }

    #[test]
    fn rewrite_is_literal_case_sensitive_replace_all() {
        let r = rules(&[(".", "!"), ("A", "x")]);
        assert_eq!(with_rules(&r).rewrite("a.b.c Aa").unwrap(), "a!b!c xa");
        let regexish = rules(&[("a+", "z")]);
        assert_eq!(with_rules(&regexish).rewrite("aaa a+").unwrap(), "aaa z");
    }

    #[test]
    fn rewrite_skips_empty_from() {
        let r = rules(&[("", "x")]);
        assert_eq!(with_rules(&r).rewrite("abc").unwrap(), "abc");
    }

    #[test]
    fn compounding_rules_are_cut_at_the_bound_per_rule() {
        // The hostile pass's six rules: unbounded, about 10^12 bytes.
        let hundred = "a".repeat(100);
        let r = rules(&[("a", hundred.as_str()); 6]);
        let out = with_rules(&r).rewrite("a sample chat message").unwrap();
        assert_eq!(out.len(), REWRITE_MAX_BYTES);
        assert!(out.bytes().all(|b| b == b'a' || b == b' '));
    }

    #[test]
    fn the_cut_never_splits_a_character() {
        let r = rules(&[("x", "ééééééé")]);
        let out = with_rules(&r)
            .rewrite(&"x".repeat(REWRITE_MAX_BYTES))
            .unwrap();
        assert!(out.len() <= REWRITE_MAX_BYTES && out.len() > REWRITE_MAX_BYTES - 2);
        assert!(out.chars().all(|c| c == 'é'));
    }

    #[test]
    fn a_chain_that_grows_then_shrinks_within_the_bound_is_exact() {
        let r = rules(&[("a", "aaaa"), ("aaaa", "b")]);
        let text = "a".repeat(1000);
        assert_eq!(with_rules(&r).rewrite(&text).unwrap(), "b".repeat(1000));
    }

    #[test]
    fn too_many_costly_rules_stop_with_an_error() {
        let fill = "a".repeat(100);
        let mut pairs = vec![("a", fill.as_str()); 3];
        // Each of these copies a full REWRITE_MAX_BYTES output.
        pairs.extend(std::iter::repeat_n(("b", "c"), 5000));
        let r = rules(&pairs);
        let err = with_rules(&r).rewrite("a").unwrap_err();
        assert!(err.applied > 1000 && err.applied < 5000, "{err:?}");
        assert!(err.to_string().contains("rewrite rules"));
    }

    #[test]
    fn mute_words_are_case_insensitive_substrings() {
        let words = vec!["SpOiLeR".to_owned(), String::new()];
        let t = Transforms {
            mute_words: &words,
            ..with_rules(&[])
        };
        assert!(t.is_muted("big spoilers ahead"));
        assert!(t.is_muted("SPOILER"));
        assert!(!t.is_muted("nothing to see"));
        assert!(!with_rules(&[]).is_muted("anything"));
    }

    #[test]
    fn truncate_keeps_short_text() {
        assert_eq!(truncate("abc".into(), 3), "abc");
        assert_eq!(truncate(String::new(), 3), "");
        assert_eq!(truncate("abc".into(), 0), "");
    }

    #[test]
    fn truncate_cuts_to_max_chars_ending_with_ellipsis() {
        assert_eq!(truncate("abcd".into(), 3), "ab…");
        let long = "é".repeat(2500);
        let cut = truncate(long, CONTENT_MAX_CHARS);
        assert_eq!(cut.chars().count(), CONTENT_MAX_CHARS);
        assert!(cut.ends_with("é…"));
        let exact = "x".repeat(CONTENT_MAX_CHARS);
        assert_eq!(truncate(exact.clone(), CONTENT_MAX_CHARS), exact);
    }
}
