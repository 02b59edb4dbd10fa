//! The room's word filter, run in the before-send callback. Rules are words or phrases, each with an
//! action: deliver (count it, let it through), hold for review, drop silently, or refuse.
//!
//! Matching survives the usual tricks: text and patterns are both normalised — Unicode NFKC (so
//! full-width `ＳＰＡＭ` and half-width katakana fold to their plain forms), lower case, and with
//! spaces, zero-width characters and separator punctuation removed (so `s p a m`, `s.p.a.m` and
//! `S-P-A-M` all read `spam`) — then every pattern is found in one pass with a character-wise
//! double-array Aho–Corasick automaton (daachorse). When several rules match, the strictest action
//! wins: refuse over drop over hold over deliver.
//!
//! Not covered: look-alike letters across scripts (Cyrillic `а` for Latin `a`) and words split by
//! other words. Rules are plain text, not regular expressions.

use daachorse::CharwiseDoubleArrayAhoCorasick;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use unicode_normalization::UnicodeNormalization;

/// What a matching rule does with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum WordAction {
    /// Let it through (the match is only counted).
    Deliver,
    /// Keep it back until a moderator approves or rejects it.
    Hold,
    /// Discard it; the sender believes it was sent.
    Drop,
    /// Refuse it; the sender is told (Tencent's 10016).
    Refuse,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WordRule {
    pub pattern: String,
    pub action: WordAction,
}

/// The outcome of checking a text: the strictest matching rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordMatch {
    pub action: WordAction,
    /// The rule's pattern as written.
    pub pattern: String,
}

/// Invisible characters, removed wherever they are.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// White space and the punctuation people put between letters to dodge filters.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '.' | ','
                | '-'
                | '_'
                | '*'
                | '·'
                | '•'
                | '|'
                | '/'
                | '\\'
                | '~'
                | '^'
                | '\''
                | '"'
                | '`'
                | '+'
                | '='
                | '・'
                | '、'
                | '。'
                | '!'
                | '?'
                | '！'
                | '？'
        )
}

/// Chinese and Japanese write without spaces between words, so a space between two of their
/// characters is a dodge, never a word boundary. (Korean spaces its words, like English.)
fn is_han_or_kana(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FFFF}')
}

/// The form text is matched in: NFKC, lower case, invisible characters removed, and separators
/// between tokens reduced to one space — except between two lone characters or two Chinese/Japanese
/// characters, where they are removed,
/// so a spaced-out word (`s p a m`, `加 微 信`) closes up while ordinary words stay apart (`grapes
/// pamphlet` does not become `…spam…`).
pub fn normalize(text: &str) -> String {
    let folded: String = text.nfkc().flat_map(char::to_lowercase).filter(|c| !is_invisible(*c)).collect();
    let tokens: Vec<&str> = folded.split(is_separator).filter(|t| !t.is_empty()).collect();
    let mut out = String::with_capacity(folded.len());
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 {
            let lone = |t: &str| t.chars().nth(1).is_none();
            let prev = tokens[i - 1];
            let cjk_join = prev.chars().next_back().is_some_and(is_han_or_kana)
                && token.chars().next().is_some_and(is_han_or_kana);
            let closes_up = cjk_join || (lone(prev) && lone(token));
            if !closes_up {
                out.push(' ');
            }
        }
        out.push_str(token);
    }
    out
}

/// A compiled word list. Cheap to share (immutable); rebuilt when the list changes.
pub struct WordFilter {
    /// Pattern index → rule, for the automaton's values.
    rules: Vec<WordRule>,
    automaton: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
}

impl std::fmt::Debug for WordFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordFilter").field("rules", &self.rules.len()).finish()
    }
}

impl Default for WordFilter {
    fn default() -> Self {
        Self::empty()
    }
}

impl WordFilter {
    pub fn empty() -> Self {
        Self { rules: Vec::new(), automaton: None }
    }

    /// Compiles `rules`. Patterns that normalise to nothing are skipped; two that normalise to the same
    /// text keep the stricter action.
    pub fn new(rules: Vec<WordRule>) -> Result<Self, String> {
        let mut by_key: std::collections::BTreeMap<String, WordRule> = std::collections::BTreeMap::new();
        for rule in rules {
            let key = normalize(&rule.pattern);
            if key.is_empty() {
                continue;
            }
            match by_key.get(&key) {
                Some(existing) if existing.action >= rule.action => {}
                _ => {
                    by_key.insert(key, rule);
                }
            }
        }
        if by_key.is_empty() {
            return Ok(Self::empty());
        }
        let keys: Vec<(String, u32)> = by_key.keys().cloned().zip(0u32..).collect();
        let rules: Vec<WordRule> = by_key.into_values().collect();
        let automaton = CharwiseDoubleArrayAhoCorasick::with_values(keys)
            .map_err(|e| format!("the word list cannot be compiled: {e}"))?;
        Ok(Self { rules, automaton: Some(automaton) })
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn rules(&self) -> &[WordRule] {
        &self.rules
    }

    /// The strictest rule `text` matches, if any.
    pub fn check(&self, text: &str) -> Option<WordMatch> {
        let automaton = self.automaton.as_ref()?;
        let normalized = normalize(text);
        let best = automaton
            .find_overlapping_iter(&normalized)
            .map(|m| &self.rules[m.value() as usize])
            .max_by_key(|r| r.action)?;
        Some(WordMatch { action: best.action, pattern: best.pattern.clone() })
    }
}

/// Reads a word list: one rule per line, `pattern` or `pattern<TAB>action` (deliver, hold, drop,
/// refuse; default refuse). Blank lines and lines starting with `#` are skipped.
pub fn parse_list(text: &str) -> Result<Vec<WordRule>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let (pattern, action) = match line.rsplit_once('\t') {
            Some((p, a)) => {
                let action = match a.trim().to_ascii_lowercase().as_str() {
                    "deliver" => WordAction::Deliver,
                    "hold" => WordAction::Hold,
                    "drop" => WordAction::Drop,
                    "refuse" => WordAction::Refuse,
                    other => {
                        return Err(format!(
                            "line {}: {other:?} is not an action; use deliver, hold, drop or refuse",
                            n + 1
                        ))
                    }
                };
                (p, action)
            }
            None => (line, WordAction::Refuse),
        };
        out.push(WordRule { pattern: pattern.trim().to_string(), action });
    }
    Ok(out)
}

/// Writes a word list in the form [`parse_list`] reads.
pub fn format_list(rules: &[WordRule]) -> String {
    let mut out = String::new();
    for r in rules {
        let action = match r.action {
            WordAction::Deliver => "deliver",
            WordAction::Hold => "hold",
            WordAction::Drop => "drop",
            WordAction::Refuse => "refuse",
        };
        out.push_str(&format!("{}\t{action}\n", r.pattern));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(p: &str, action: WordAction) -> WordRule {
        WordRule { pattern: p.into(), action }
    }

    #[test]
    fn case_width_and_spacing_tricks_do_not_hide_a_word() {
        let f = WordFilter::new(vec![rule("spam", WordAction::Refuse), rule("バカ", WordAction::Hold)]).unwrap();
        for text in ["SPAM", "s p a m", "s.p.a.m!", "ＳＰＡＭ", "S-P-A-M", "s\u{200B}pam", "buy spam now", "spam!!"]
        {
            assert_eq!(f.check(text).map(|m| m.action), Some(WordAction::Refuse), "{text:?} hides spam");
        }
        assert_eq!(f.check("grapes pamphlet"), None, "ordinary words are not glued together");
        // Half-width katakana ﾊﾞｶ folds to バカ under NFKC.
        assert_eq!(f.check("ﾊﾞｶ").map(|m| m.action), Some(WordAction::Hold));
        assert_eq!(f.check("hello there"), None);
    }

    #[test]
    fn phrases_match_whatever_separates_their_words() {
        let f = WordFilter::new(vec![rule("free coins", WordAction::Hold)]).unwrap();
        for text in ["FREE COINS", "free   coins", "free-coins", "get free, coins"] {
            assert!(f.check(text).is_some(), "{text:?}");
        }
        assert_eq!(normalize("  Ｈｅｌｌｏ\u{200B}  W o r l d "), "hello world");
    }

    #[test]
    fn the_strictest_matching_rule_wins() {
        let f = WordFilter::new(vec![
            rule("free", WordAction::Deliver),
            rule("free coins", WordAction::Hold),
            rule("coins", WordAction::Drop),
            rule("scam", WordAction::Refuse),
        ])
        .unwrap();
        assert_eq!(f.check("free").unwrap().action, WordAction::Deliver);
        assert_eq!(f.check("free coins").unwrap().action, WordAction::Drop, "drop beats hold");
        assert_eq!(f.check("free coins scam").unwrap().action, WordAction::Refuse);
    }

    #[test]
    fn cjk_patterns_match_inside_sentences() {
        let f = WordFilter::new(vec![rule("加微信", WordAction::Refuse), rule("시발", WordAction::Drop)]).unwrap();
        assert_eq!(f.check("想要福利的加 微 信").unwrap().pattern, "加微信");
        assert_eq!(f.check("아 시 발").unwrap().action, WordAction::Drop);
    }

    #[test]
    fn duplicate_and_empty_patterns_are_merged_not_errors() {
        let f = WordFilter::new(vec![
            rule("Spam", WordAction::Hold),
            rule("s p a m", WordAction::Refuse),
            rule("  ", WordAction::Refuse),
        ])
        .unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f.check("spam").unwrap().action, WordAction::Refuse);
    }

    #[test]
    fn lists_round_trip_and_bad_lines_say_where() {
        let text = "# house rules\nspam\nfree coins\thold\n\nbad word\tdrop\n";
        let rules = parse_list(text).unwrap();
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[0].action, WordAction::Refuse, "the default action is refuse");
        assert_eq!(parse_list(&format_list(&rules)).unwrap(), rules);
        let e = parse_list("ok\nx\tbanish\n").unwrap_err();
        assert!(e.contains("line 2") && e.contains("banish"), "{e}");
    }

    #[test]
    fn fifty_thousand_words_compile_and_match() {
        let rules: Vec<WordRule> = (0..50_000).map(|i| rule(&format!("bad{i:05}x"), WordAction::Refuse)).collect();
        let f = WordFilter::new(rules).unwrap();
        assert_eq!(f.len(), 50_000);
        assert!(f.check("this has bad49999x inside").is_some());
        assert!(f.check("this has bad4999 inside").is_none());
    }
}
