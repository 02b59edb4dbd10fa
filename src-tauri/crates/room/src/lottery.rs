//! The keyword lottery: while a draw is open, every distinct viewer whose delivered message contains
//! the keyword (matched like the word filter: case, width and spacing folded) enters once. The draw is
//! fair and reproducible: the entrants, sorted, are shuffled by a ChaCha8 generator from a seed that
//! the audit log records, so anyone can re-run it and get the same winners.

use std::collections::BTreeSet;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::words::normalize;

/// The lottery as consoles see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LotteryLine {
    pub keyword: String,
    /// Entries are being taken.
    pub open: bool,
    pub entrants: u32,
    pub winners: Vec<String>,
    /// The seed of the last draw, in decimal: a u64 does not fit a JavaScript number.
    #[ts(type = "string | null")]
    #[serde(with = "seed_text")]
    pub seed: Option<u64>,
}

/// A u64 seed on the wire as a decimal string (JSON numbers lose precision above 2^53 in the UI); a
/// number is still read, as older records hold one.
mod seed_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(seed: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match seed {
            Some(n) => s.serialize_str(&n.to_string()),
            None => s.serialize_none(),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Number(u64),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        match Option::<Either>::deserialize(d)? {
            None => Ok(None),
            Some(Either::Number(n)) => Ok(Some(n)),
            Some(Either::Text(t)) => t.parse().map(Some).map_err(serde::de::Error::custom),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Lottery {
    keyword: String,
    folded: String,
    open: bool,
    pool: BTreeSet<String>,
    winners: Vec<String>,
    seed: Option<u64>,
}

impl Lottery {
    pub fn open(keyword: &str) -> Result<Self, String> {
        let folded = normalize(keyword);
        if folded.is_empty() || keyword.chars().count() > 32 {
            return Err("a lottery keyword is 1 to 32 characters of text".into());
        }
        Ok(Self { keyword: keyword.trim().to_string(), folded, open: true, ..Self::default() })
    }

    /// Enters `user` if the draw is open and `text` carries the keyword; true when newly entered.
    pub fn offer(&mut self, user: &str, text: &str) -> bool {
        self.open && normalize(text).contains(&self.folded) && self.pool.insert(user.to_string())
    }

    pub fn close(&mut self) {
        self.open = false;
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Draws up to `n` winners with `seed`.
    pub fn draw(&mut self, n: usize, seed: u64) -> Vec<String> {
        self.winners = draw_winners(&self.pool.iter().cloned().collect::<Vec<_>>(), n, seed);
        self.seed = Some(seed);
        self.winners.clone()
    }

    pub fn line(&self) -> LotteryLine {
        LotteryLine {
            keyword: self.keyword.clone(),
            open: self.open,
            entrants: self.pool.len() as u32,
            winners: self.winners.clone(),
            seed: self.seed,
        }
    }
}

/// The reproducible draw: `entrants` sorted, shuffled by ChaCha8 seeded with `seed`, the first `n`.
pub fn draw_winners(entrants: &[String], n: usize, seed: u64) -> Vec<String> {
    let mut pool: Vec<String> = entrants.to_vec();
    pool.sort();
    pool.dedup();
    pool.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
    pool.truncate(n);
    pool
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_viewer_enters_once_while_open_with_the_keyword_in_any_disguise() {
        let mut l = Lottery::open("888").unwrap();
        assert!(l.offer("a", "888!"));
        assert!(!l.offer("a", "888 again"), "once per viewer");
        assert!(l.offer("b", "８８８"), "full-width digits fold");
        assert!(!l.offer("c", "hello"));
        l.close();
        assert!(!l.offer("d", "888"), "closed: no more entries");
        assert_eq!(l.line().entrants, 2);
    }

    #[test]
    fn the_seed_travels_as_exact_decimal_text_and_old_numbers_still_read() {
        let line =
            LotteryLine { keyword: "k".into(), open: false, entrants: 1, winners: vec![], seed: Some(u64::MAX - 1) };
        let json = serde_json::to_value(&line).unwrap();
        assert_eq!(json["seed"], "18446744073709551614");
        assert_eq!(serde_json::from_value::<LotteryLine>(json).unwrap(), line);
        let old = serde_json::json!({"keyword": "k", "open": false, "entrants": 1, "winners": [], "seed": 42});
        assert_eq!(serde_json::from_value::<LotteryLine>(old).unwrap().seed, Some(42));
        let none = serde_json::json!({"keyword": "k", "open": false, "entrants": 1, "winners": [], "seed": null});
        assert_eq!(serde_json::from_value::<LotteryLine>(none).unwrap().seed, None);
    }

    #[test]
    fn the_draw_is_reproducible_from_its_seed_and_independent_of_entry_order() {
        let a: Vec<String> = (0..50).map(|i| format!("user{i}")).collect();
        let mut b = a.clone();
        b.reverse();
        assert_eq!(draw_winners(&a, 3, 42), draw_winners(&b, 3, 42));
        assert_ne!(draw_winners(&a, 3, 42), draw_winners(&a, 3, 43));
        assert_eq!(draw_winners(&a[..2], 5, 1).len(), 2, "no more winners than entrants");
    }
}
