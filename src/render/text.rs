//! The text transforms a webhook configures (prefix/suffix, rewrite rules, mute words),
//! plus anti-ping and Discord's length limits. All pure.

use crate::lexicon::place::stream::server::defs::{RewriteRule, Webhook};

/// Discord's limit on `content`, in characters; longer content is refused with 400.
pub const CONTENT_MAX_CHARS: usize = 2000;
/// Discord's limit on a webhook `username`, in characters.
pub const USERNAME_MAX_CHARS: usize = 80;
/// Discord's limit on an embed `title`, in characters.
pub const EMBED_TITLE_MAX_CHARS: usize = 256;

const ZWSP: &str = "\u{200B}";

/// A webhook's text settings, with absent fields read as empty.
#[derive(Debug, Clone, Copy)]
pub struct Transforms<'a> {
    prefix: &'a str,
    suffix: &'a str,
    rules: &'a [RewriteRule],
    mute_words: &'a [String],
}

impl<'a> Transforms<'a> {
    /// The settings of `webhook`.
    pub fn of(webhook: &'a Webhook) -> Self {
        Transforms {
            prefix: webhook.prefix.as_deref().unwrap_or(""),
            suffix: webhook.suffix.as_deref().unwrap_or(""),
            rules: webhook.rewrite.as_deref().unwrap_or(&[]),
            mute_words: webhook.mute_words.as_deref().unwrap_or(&[]),
        }
    }

    /// `prefix + body + suffix`.
    pub fn affix(&self, body: &str) -> String {
        [self.prefix, body, self.suffix].concat()
    }

    /// The rewrite rules in array order, each a literal, case-sensitive replace-all on the
    /// previous rule's output (so a later rule sees what an earlier one produced).
    pub fn rewrite(&self, text: &str) -> String {
        self.rules
            .iter()
            // An empty `from` would insert `to` between every character; the lexicon
            // forbids it, but the store is not the place to trust for that.
            .filter(|r| !r.from.is_empty())
            .fold(text.to_owned(), |acc, r| acc.replace(&r.from, &r.to))
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

    fn rules(pairs: &[(&str, &str)]) -> Vec<RewriteRule> {
        pairs
            .iter()
            .map(|(from, to)| RewriteRule {
                from: (*from).into(),
                to: (*to).into(),
                type_: None,
                extra: Default::default(),
            })
            .collect()
    }

    fn with_rules(rules: &[RewriteRule]) -> Transforms<'_> {
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
        assert_eq!(with_rules(&r).rewrite("a"), "c");
        let reversed = rules(&[("b", "c"), ("a", "b")]);
        assert_eq!(with_rules(&reversed).rewrite("a"), "b");
    }

    #[test]
    fn rewrite_is_literal_case_sensitive_replace_all() {
        let r = rules(&[(".", "!"), ("A", "x")]);
        assert_eq!(with_rules(&r).rewrite("a.b.c Aa"), "a!b!c xa");
        let regexish = rules(&[("a+", "z")]);
        assert_eq!(with_rules(&regexish).rewrite("aaa a+"), "aaa z");
    }

    #[test]
    fn rewrite_skips_empty_from() {
        let r = rules(&[("", "x")]);
        assert_eq!(with_rules(&r).rewrite("abc"), "abc");
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
