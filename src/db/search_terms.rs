//! How many companies hold each trigram, so a search looks its text up by its rarest ones.
//!
//! The search index (FTS5, trigrams) finds a phrase by walking the list of rows of every one of
//! its trigrams: "sao paulo 12" walks "ao " and "o p", which a tenth of all companies hold on a
//! large store. Every row whose names hold the text holds each of its trigrams, so the rows that
//! hold its rarest few are a superset that the `LIKE` beside the lookup then decides: on a million
//! companies a few hundred rows instead of a hundred thousand, and the same answer.
//!
//! The trigrams of one word go together: every company holding "pau" holds "aul" and "ulo" too
//! when its names say "paulo", so looking up a word's three rarest rules out little more than
//! its rarest alone. The few looked up are taken from different words first, rarest first
//! ("sao paulo 12" on 20,000 companies: "pau", " 12" and "sao", 33 rows, where "pau", "aul" and
//! "ulo" left 623), then from the words already used.
//!
//! A trigram's count comes from the index's own vocabulary (`fts5vocab`), which walks that
//! trigram's list once; PostgreSQL counts its rows of `company_trigrams` (migration 35), the
//! same walk. Counts are kept a few minutes. A count gone stale makes a search slower,
//! never different.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::OptionalExtension;

use crate::db::sql::{Db, Dialect};
use crate::error::DomainResult;

/// The search index needs three characters to look a text up.
pub const TRIGRAM: usize = 3;

/// How many of a text's trigrams a search looks up. The index intersects their lists by skipping
/// through the longer ones, so a third list costs little and rules out most of the rows the two
/// rarest of different words leave; a fourth rarely rules out more.
const LOOKED_UP: usize = 3;

/// How long a count is trusted before it is read again.
const FRESH_FOR: Duration = Duration::from_secs(600);

/// Counts kept at most (a store's names hold some tens of thousands of distinct trigrams).
const MAX_KEPT: usize = 50_000;

/// The index's vocabulary, one row per trigram with the number of rows that hold it. A table of
/// the connection's own `temp` schema: made when the connection opens, before it turns
/// read-only.
const VOCABULARY: &str = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.company_search_terms
     USING fts5vocab(main, company_search, 'row')";

/// Makes the vocabulary table on a connection that will look searches up.
pub fn attach(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(VOCABULARY)
}

/// The trigrams of `folded` (a folded search text), each once, in the order they appear.
pub fn trigrams(folded: &str) -> Vec<String> {
    with_words(folded).into_iter().map(|(t, _)| t).collect()
}

/// The trigrams of `folded`, each once in the order they appear, with the words (numbered in
/// the text; a word is a run of letters and digits) any of its occurrences has characters of.
fn with_words(folded: &str) -> Vec<(String, Vec<usize>)> {
    let chars: Vec<char> = folded.chars().collect();
    let mut word = Vec::with_capacity(chars.len());
    let mut n = 0;
    for (i, ch) in chars.iter().enumerate() {
        let inside = ch.is_alphanumeric();
        if inside && i > 0 && !chars[i - 1].is_alphanumeric() {
            n += 1;
        }
        word.push(inside.then_some(n));
    }
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, w) in chars.windows(TRIGRAM).enumerate() {
        let t: String = w.iter().collect();
        let at = match out.iter().position(|(seen, _)| *seen == t) {
            Some(at) => at,
            None => {
                out.push((t, Vec::new()));
                out.len() - 1
            }
        };
        for n in word[i..i + TRIGRAM].iter().flatten() {
            if !out[at].1.contains(n) {
                out[at].1.push(*n);
            }
        }
    }
    out
}

/// Of trigrams with their counts and words, rarest first, the `LOOKED_UP` to look up: each
/// rarest one that shares no word with those taken before it, then the rarest of the rest.
/// Rarest first, as taken from the counts.
fn pick(counted: Vec<(u64, String, Vec<usize>)>) -> Vec<String> {
    let mut taken = vec![false; counted.len()];
    let mut used: Vec<usize> = Vec::new();
    let mut left = LOOKED_UP;
    for (i, (_, _, words)) in counted.iter().enumerate() {
        if left > 0 && !words.iter().any(|w| used.contains(w)) {
            taken[i] = true;
            used.extend(words);
            left -= 1;
        }
    }
    for t in taken.iter_mut().filter(|t| !**t).take(left) {
        *t = true;
    }
    counted
        .into_iter()
        .zip(taken)
        .filter(|(_, taken)| *taken)
        .map(|((_, t, _), _)| t)
        .collect()
}

/// Rows per trigram, kept for one store.
#[derive(Default)]
pub struct SearchTerms {
    counts: Mutex<HashMap<String, (u64, Instant)>>,
}

impl SearchTerms {
    /// The trigrams of `folded` to look up: its rarest of different words first, at most
    /// `LOOKED_UP`, rarest first. Empty when the text is shorter than a trigram.
    pub fn rarest(&self, conn: &Db, folded: &str) -> DomainResult<Vec<String>> {
        let mut counted = Vec::new();
        for (t, words) in with_words(folded) {
            let n = self.count(conn, &t)?;
            counted.push((n, t, words));
        }
        // Stable: of trigrams held by as many rows, the earlier in the text comes first.
        counted.sort_by_key(|(n, _, _)| *n);
        Ok(pick(counted))
    }

    fn count(&self, conn: &Db, trigram: &str) -> DomainResult<u64> {
        if let Some(n) = self.kept(trigram) {
            return Ok(n);
        }
        let sql = match conn.dialect() {
            Dialect::Sqlite => "SELECT doc FROM temp.company_search_terms WHERE term = ?1",
            // One entry of its primary key per company holding it.
            Dialect::Postgres => "SELECT count(*) FROM company_trigrams WHERE trigram = ?1",
        };
        let n: Option<i64> = conn
            .prepare_cached(sql)?
            .query_row([trigram], |r| r.get(0))
            .optional()?;
        let n = n.unwrap_or(0).max(0) as u64;
        self.keep(trigram, n);
        Ok(n)
    }

    fn kept(&self, trigram: &str) -> Option<u64> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts
            .get(trigram)
            .filter(|(_, at)| at.elapsed() < FRESH_FOR)
            .map(|(n, _)| *n)
    }

    fn keep(&self, trigram: &str, n: u64) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.len() >= MAX_KEPT {
            counts.retain(|_, (_, at)| at.elapsed() < FRESH_FOR);
            if counts.len() >= MAX_KEPT {
                counts.clear();
            }
        }
        counts.insert(trigram.to_string(), (n, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> rusqlite::Connection {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::db::migrate::apply(&mut conn).unwrap();
        attach(&conn).unwrap();
        for (i, name) in [
            "comercio sao paulo 1",
            "padaria sao paulo 2",
            "otica sao jose 3",
            "cafe sao paulo 12",
        ]
        .iter()
        .enumerate()
        {
            conn.execute(
                "INSERT INTO companies (id, legal_name, cnpj, slug, status, created_at,
                                        updated_at, search_fold, sort_name)
                 VALUES (?1, ?2, ?3, ?4, 'active', 1, 1, ?2, ?2)",
                rusqlite::params![
                    format!("cmp_{i}"),
                    name,
                    format!("1122233300{i:02}81"),
                    format!("s-{i}")
                ],
            )
            .unwrap();
        }
        crate::db::search_upkeep::index_pending(&crate::db::Db::sqlite(&conn)).unwrap();
        conn
    }

    #[test]
    fn a_text_s_trigrams_are_its_windows_of_three_characters_each_once() {
        assert_eq!(trigrams("ab"), Vec::<String>::new());
        assert_eq!(trigrams("abcd"), ["abc", "bcd"]);
        assert_eq!(trigrams("aaaa"), ["aaa"]);
        assert_eq!(trigrams("são"), ["são"]);
    }

    #[test]
    fn a_trigram_knows_the_words_it_has_characters_of() {
        let words: Vec<(String, Vec<usize>)> = with_words("sa-o 12");
        assert_eq!(
            words,
            [
                ("sa-".to_string(), vec![0]),
                ("a-o".to_string(), vec![0, 1]),
                ("-o ".to_string(), vec![1]),
                ("o 1".to_string(), vec![1, 2]),
                (" 12".to_string(), vec![2]),
            ]
        );
        // A trigram seen twice has the words of both places.
        assert_eq!(with_words("aaa x aaa")[0], ("aaa".to_string(), vec![0, 2]));
    }

    /// Counted as `rarest` counts them, from a table of counts.
    fn counted(text: &str, counts: &[(&str, u64)]) -> Vec<(u64, String, Vec<usize>)> {
        let mut out: Vec<_> = with_words(text)
            .into_iter()
            .map(|(t, words)| {
                let n = counts.iter().find(|(c, _)| *c == t).map_or(0, |(_, n)| *n);
                (n, t, words)
            })
            .collect();
        out.sort_by_key(|(n, _, _)| *n);
        out
    }

    #[test]
    fn the_trigrams_looked_up_come_from_different_words_first() {
        // Counts of 20,000 generated companies, where every "paulo" is "sao paulo": the four
        // trigrams of "paulo " are each held by 623 companies, the same 623.
        let counts = [
            ("sao", 1307),
            ("ao ", 2682),
            ("o p", 2360),
            (" pa", 1955),
            ("pau", 623),
            ("aul", 623),
            ("ulo", 623),
            ("lo ", 623),
            ("o 1", 1860),
            (" 12", 1111),
        ];
        assert_eq!(
            pick(counted("sao paulo 12", &counts)),
            ["pau", " 12", "sao"]
        );
        // One word: its three rarest.
        assert_eq!(
            pick(counted("paulo", &[("pau", 9), ("aul", 3), ("ulo", 5)])),
            ["aul", "ulo", "pau"]
        );
        // Two words: the rarest of each, then the rarest left.
        assert_eq!(
            pick(counted("ab cd", &[("ab ", 1), ("b c", 2), (" cd", 3)])),
            ["ab ", "b c", " cd"]
        );
        assert_eq!(
            pick(counted(
                "abc def",
                &[("abc", 5), ("bc ", 1), ("c d", 2), (" de", 4), ("def", 3)]
            )),
            // "bc " and "def" first, then "c d"; given rarest first.
            ["bc ", "c d", "def"]
        );
    }

    #[test]
    fn the_rarest_trigrams_are_those_the_fewest_companies_hold() {
        let conn = store();
        let terms = SearchTerms::default();
        // " 12" is in one name, "o 1" in two, "o p" in three (and earlier than " pa"), "sao" in
        // four.
        assert_eq!(
            terms
                .rarest(&crate::db::Db::sqlite(&conn), "sao paulo 12")
                .unwrap(),
            [" 12", "o 1", "o p"]
        );
        assert_eq!(
            terms.rarest(&crate::db::Db::sqlite(&conn), "jose").unwrap(),
            ["jos", "ose"]
        );
        assert!(terms
            .rarest(&crate::db::Db::sqlite(&conn), "sp")
            .unwrap()
            .is_empty());
        // A trigram no company holds is the rarest of all.
        assert_eq!(
            terms
                .rarest(&crate::db::Db::sqlite(&conn), "sao xyz")
                .unwrap(),
            ["o x", " xy", "xyz"]
        );
    }
}
