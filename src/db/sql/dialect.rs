//! The store's SQL is written once, in the dialect both stores share; this says it the way
//! PostgreSQL reads it. What differs only in spelling is rewritten here: parameters (`?1` →
//! `$1`), `IFNULL` → `COALESCE`, `INSERT OR IGNORE` → `ON CONFLICT DO NOTHING`. What differs in
//! meaning is written twice, beside each other, in the storage module that needs it.

/// `sql` as PostgreSQL reads it. Text inside quotes and comments is left as it is.
pub fn postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.char_indices().peekable();
    let mut next_plain = 1;
    let mut ignore = false;
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for (_, d) in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '-' if sql[i..].starts_with("--") => {
                for (_, d) in chars.by_ref() {
                    if d == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some(&(_, d)) = chars.peek() {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    digits.push(d);
                    chars.next();
                }
                out.push('$');
                if digits.is_empty() {
                    out.push_str(&next_plain.to_string());
                    next_plain += 1;
                } else {
                    out.push_str(&digits);
                }
            }
            _ if c.is_ascii_alphabetic() && word_starts(sql, i) => {
                let rest = &sql[i..];
                if let Some(n) = keyword(rest, "IFNULL(") {
                    out.push_str("COALESCE(");
                    skip(&mut chars, n - 1);
                } else if let Some((text, n)) = group_concat(rest) {
                    out.push_str(&text);
                    skip(&mut chars, n - 1);
                } else if let Some((text, n)) = scalar_extreme(rest) {
                    out.push_str(&text);
                    skip(&mut chars, n - 1);
                } else if let Some((text, n)) = json_extract(rest) {
                    out.push_str(&text);
                    skip(&mut chars, n - 1);
                } else if let Some(n) = keyword(rest, "INSERT OR IGNORE ") {
                    out.push_str("INSERT ");
                    ignore = true;
                    skip(&mut chars, n - 1);
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    if ignore {
        on_conflict_do_nothing(&mut out);
    }
    out
}

/// `group_concat(value)` as `string_agg((value)::text, ',')`, and the length it replaces (only
/// the one-argument form, whose separator is a comma).
fn group_concat(rest: &str) -> Option<(String, usize)> {
    let (args, end) = call(rest, "group_concat(")?;
    let [value] = args.as_slice() else {
        return None;
    };
    Some((format!("string_agg(({})::text, ',')", postgres(value)), end))
}

/// SQLite's scalar `max(a, b, …)` and `min(a, b, …)` as `GREATEST` and `LEAST` (NULLs aside,
/// which SQLite's return and PostgreSQL's skip; the store's calls take no NULL), and the length
/// they replace. The one-argument forms are the aggregates both stores share.
fn scalar_extreme(rest: &str) -> Option<(String, usize)> {
    let (name, (args, end)) = [("GREATEST", "max("), ("LEAST", "min(")]
        .into_iter()
        .find_map(|(to, from)| Some((to, call(rest, from)?)))?;
    if args.len() < 2 {
        return None;
    }
    let args: Vec<String> = args.iter().map(|a| postgres(a)).collect();
    Some((format!("{name}({})", args.join(", ")), end))
}

/// `json_extract(value, '$.a.b')` as `((value)::jsonb #> '{a,b}')`, and the length it replaces.
/// The result reads back as SQLite's would: a JSON number as a number, a string as text
/// (`pg::values::Column`).
fn json_extract(rest: &str) -> Option<(String, usize)> {
    let (args, end) = call(rest, "json_extract(")?;
    let [value, path] = args.as_slice() else {
        return None;
    };
    let keys = path.strip_prefix("'$.")?.strip_suffix('\'')?;
    Some((
        format!(
            "(({})::jsonb #> '{{{}}}')",
            postgres(value),
            keys.replace('.', ",")
        ),
        end,
    ))
}

/// The arguments of the call `rest` begins with (`name` ends with its `(`), and where it ends.
fn call(rest: &str, name: &str) -> Option<(Vec<String>, usize)> {
    let open = keyword(rest, name)? - 1;
    let close = super::cells::closing(rest, open)?;
    Some((super::cells::arguments(&rest[open + 1..close]), close + 1))
}

fn word_starts(sql: &str, i: usize) -> bool {
    sql[..i]
        .chars()
        .next_back()
        .is_none_or(|p| !(p.is_ascii_alphanumeric() || p == '_'))
}

/// The length of `word` when `rest` begins with it (in any case, runs of spaces as one).
fn keyword(rest: &str, word: &str) -> Option<usize> {
    let mut taken = 0;
    let mut r = rest.chars().peekable();
    for w in word.chars() {
        if w == ' ' {
            let mut any = false;
            while r.peek().is_some_and(|c| c.is_whitespace()) {
                r.next();
                taken += 1;
                any = true;
            }
            if !any {
                return None;
            }
        } else {
            let c = r.next()?;
            if !c.eq_ignore_ascii_case(&w) {
                return None;
            }
            taken += c.len_utf8();
        }
    }
    Some(taken)
}

fn skip(chars: &mut impl Iterator<Item = (usize, char)>, n: usize) {
    let mut left = n;
    while left > 0 {
        match chars.next() {
            Some((_, c)) => left = left.saturating_sub(c.len_utf8()),
            None => break,
        }
    }
}

/// `INSERT OR IGNORE`'s meaning: the clause goes before `RETURNING` when there is one, at the
/// end otherwise.
fn on_conflict_do_nothing(sql: &mut String) {
    let trimmed = sql.trim_end().trim_end_matches(';').len();
    sql.truncate(trimmed);
    let upper = sql.to_ascii_uppercase();
    match upper.rfind("RETURNING") {
        Some(at) => sql.insert_str(at, "ON CONFLICT DO NOTHING "),
        None => sql.push_str(" ON CONFLICT DO NOTHING"),
    }
}

#[cfg(test)]
mod tests {
    use super::postgres;

    #[test]
    fn parameters_are_numbered_outside_quotes_and_comments() {
        assert_eq!(
            postgres("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND d = ?12 -- e = ?3\n AND f = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND d = $12 \n AND f = $1"
        );
    }

    #[test]
    fn a_group_s_texts_are_joined_with_commas() {
        assert_eq!(
            postgres("SELECT (SELECT group_concat(topic) FROM o WHERE o.u = ?1) FROM t"),
            "SELECT (SELECT string_agg((topic)::text, ',') FROM o WHERE o.u = $1) FROM t"
        );
    }

    #[test]
    fn a_json_path_is_read_with_postgresql_s_operator() {
        assert_eq!(
            postgres(
                "SELECT json_extract(pl.limits, '$.max_users'), json_extract(?4, '$.a.b') FROM t"
            ),
            "SELECT ((pl.limits)::jsonb #> '{max_users}'), (($4)::jsonb #> '{a,b}') FROM t"
        );
    }

    #[test]
    fn scalar_extremes_become_greatest_and_least_and_aggregates_stay() {
        assert_eq!(
            postgres("SELECT max(a, ?1), MIN(b, c, 3), max(d), min(e) FROM t"),
            "SELECT GREATEST(a, $1), LEAST(b, c, 3), max(d), min(e) FROM t"
        );
    }

    #[test]
    fn spellings_only_sqlite_knows_are_rewritten() {
        assert_eq!(
            postgres("SELECT ifnull(a, 0), myifnull(b) FROM t"),
            "SELECT COALESCE(a, 0), myifnull(b) FROM t"
        );
        assert_eq!(
            postgres("INSERT OR IGNORE INTO t (a) VALUES (?1);"),
            "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            postgres("insert or  ignore into t (a) values (?1) RETURNING a"),
            "INSERT into t (a) values ($1) ON CONFLICT DO NOTHING RETURNING a"
        );
    }
}
