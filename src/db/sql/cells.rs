//! The cell-sealing functions on PostgreSQL. On SQLite the store's SQL calls them inside the
//! statement (`armario_seal`, `armario_open`, `armario_email_index`, …, registered on each
//! connection); PostgreSQL cannot call into armario, and the keys never leave it. So before a
//! statement is prepared for PostgreSQL, the calls it can take are taken out of its SQL:
//!
//! - a call whose arguments are all parameters (`armario_seal('users', 'email', ?2, ?3)`,
//!   `armario_email_index(?3)`, `armario_master_key_id()`) becomes a new parameter, computed
//!   here from the others before the statement runs;
//! - `armario_open(table, column, company, value[, sealed_key, key_id])` as a whole column of
//!   the outer select list becomes its arguments' columns, folded back into the opened value
//!   when the row is read.
//!
//! A call anywhere else (sealing a value under a company read from a column, opening inside a
//! condition) cannot be taken out, and the statement is refused with the function's name: the
//! storage function says it in PostgreSQL's way beside SQLite's.

/// A statement with its cell calls taken out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// The SQL left to prepare, in the store's common dialect.
    pub sql: String,
    /// Parameters computed before the statement runs, in order after the caller's.
    pub computed: Vec<Computed>,
    /// Columns to fold back into opened values, left to right in the rewritten select list.
    pub folds: Vec<Fold>,
}

/// A parameter computed from the caller's (`?n` is `values[n - 1]`).
#[derive(Clone, Debug, PartialEq)]
pub enum Computed {
    Seal {
        table: String,
        column: String,
        company: usize,
        value: usize,
    },
    EmailIndex {
        value: usize,
    },
    MasterKeyId,
    NewCompanyKey {
        company: usize,
    },
    ForgetCompanyKey {
        company: usize,
    },
}

/// Columns `at..at + width` of a row (company, value, and the company's key when the query
/// joined it) that read as one opened value.
#[derive(Clone, Debug, PartialEq)]
pub struct Fold {
    pub at: usize,
    pub width: usize,
    pub table: String,
    pub column: String,
}

const FUNCTIONS: &[&str] = &[
    "armario_seal",
    "armario_open",
    "armario_email_index",
    "armario_master_key_id",
    "armario_new_company_key",
    "armario_forget_company_key",
];

/// Takes the cell calls out of `sql`, or says which one PostgreSQL cannot take.
pub fn plan(sql: &str) -> Result<Plan, String> {
    if !sql.contains("armario_") {
        return Ok(Plan {
            sql: sql.to_string(),
            ..Plan::default()
        });
    }
    let mut next = highest_parameter(sql);
    let list = outer_select_list(sql);
    let mut out = String::with_capacity(sql.len());
    let mut computed = Vec::new();
    let mut folds = Vec::new();
    let mut i = 0;
    let bytes = sql.as_bytes();
    while i < sql.len() {
        let c = bytes[i];
        if c == b'\'' || c == b'"' {
            let end = sql[i + 1..]
                .find(c as char)
                .map_or(sql.len(), |e| i + 2 + e);
            out.push_str(&sql[i..end]);
            i = end;
            continue;
        }
        let Some(name) = function_at(sql, i) else {
            let ch = sql[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
            continue;
        };
        let open = i + name.len();
        let close = closing(sql, open).ok_or_else(|| format!("{name}: unbalanced parentheses"))?;
        let args = arguments(&sql[open + 1..close]);
        let param = |a: &str| -> Option<usize> { a.strip_prefix('?')?.parse().ok() };
        let literal = |a: &str| -> Option<String> {
            Some(a.strip_prefix('\'')?.strip_suffix('\'')?.to_string())
        };
        let taken = match (name, args.as_slice()) {
            ("armario_seal", [t, c, company, value]) => {
                match (literal(t), literal(c), param(company), param(value)) {
                    (Some(table), Some(column), Some(company), Some(value)) => {
                        Some(Computed::Seal {
                            table,
                            column,
                            company,
                            value,
                        })
                    }
                    _ => None,
                }
            }
            ("armario_email_index", [value]) => {
                param(value).map(|value| Computed::EmailIndex { value })
            }
            ("armario_master_key_id", []) => Some(Computed::MasterKeyId),
            ("armario_new_company_key", [company]) => {
                param(company).map(|company| Computed::NewCompanyKey { company })
            }
            ("armario_forget_company_key", [company]) => {
                param(company).map(|company| Computed::ForgetCompanyKey { company })
            }
            ("armario_open", [t, c, rest @ ..]) if rest.len() == 2 || rest.len() == 4 => {
                let (Some(table), Some(column)) = (literal(t), literal(c)) else {
                    return Err(refusal(name));
                };
                let Some(at) = list.as_ref().and_then(|l| l.column_at(i, close + 1)) else {
                    return Err(refusal(name));
                };
                let earlier: usize = folds.iter().map(|f: &Fold| f.width - 1).sum();
                folds.push(Fold {
                    at: at + earlier,
                    width: rest.len(),
                    table,
                    column,
                });
                out.push_str(&rest.join(", "));
                i = close + 1;
                continue;
            }
            _ => None,
        };
        let Some(taken) = taken else {
            return Err(refusal(name));
        };
        next += 1;
        out.push_str(&format!("?{next}"));
        computed.push(taken);
        i = close + 1;
    }
    Ok(Plan {
        sql: out,
        computed,
        folds,
    })
}

fn refusal(name: &str) -> String {
    format!("{name} is called where PostgreSQL cannot take it out of the SQL")
}

/// The cell function whose name begins at `i`, as a whole word followed by `(`.
fn function_at(sql: &str, i: usize) -> Option<&'static str> {
    let before = sql[..i].chars().next_back();
    if before.is_some_and(|p| p.is_ascii_alphanumeric() || p == '_') {
        return None;
    }
    FUNCTIONS
        .iter()
        .copied()
        .find(|f| sql[i..].starts_with(f) && sql[i + f.len()..].starts_with('('))
}

/// The `)` that closes the `(` at `open`.
pub(super) fn closing(sql: &str, open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut quote = None;
    for (j, c) in sql[open..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + j);
                }
            }
            _ => {}
        }
    }
    None
}

/// Arguments split at the commas outside parentheses and quotes, trimmed.
pub(super) fn arguments(inner: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut depth = 0;
    let mut quote = None;
    let mut start = 0;
    for (j, c) in inner.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                args.push(inner[start..j].trim().to_string());
                start = j + 1;
            }
            _ => {}
        }
    }
    let last = inner[start..].trim();
    if !last.is_empty() || !args.is_empty() {
        args.push(last.to_string());
    }
    args
}

fn highest_parameter(sql: &str) -> usize {
    let mut most = 0;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' {
            let mut n = 0usize;
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                n = n * 10 + d as usize;
                chars.next();
            }
            most = most.max(n);
        }
    }
    most
}

/// The outer `SELECT`'s list: where each of its columns begins and ends.
struct SelectList {
    columns: Vec<(usize, usize)>,
}

impl SelectList {
    /// The place of the column that is exactly `start..end` (or that with `AS alias` after).
    fn column_at(&self, start: usize, end: usize) -> Option<usize> {
        self.columns
            .iter()
            .position(|&(s, e)| s == start && e >= end)
    }
}

fn outer_select_list(sql: &str) -> Option<SelectList> {
    let upper = sql.to_ascii_uppercase();
    let mut depth = 0;
    let mut quote = None;
    let mut begin = None;
    let mut columns = Vec::new();
    let mut start = 0;
    let skip_space = |from: usize| from + sql[from..].len() - sql[from..].trim_start().len();
    for (j, c) in sql.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, _) if depth == 0 => {
                let word = |w: &str| {
                    upper[j..].starts_with(w)
                        && !upper[..j].ends_with(|p: char| p.is_ascii_alphanumeric() || p == '_')
                        && !upper[j + w.len()..]
                            .starts_with(|p: char| p.is_ascii_alphanumeric() || p == '_')
                };
                match begin {
                    None if word("SELECT") => {
                        let mut from = skip_space(j + "SELECT".len());
                        if upper[from..].starts_with("DISTINCT ") {
                            from = skip_space(from + "DISTINCT".len());
                        }
                        begin = Some(from);
                        start = from;
                    }
                    Some(_) if c == ',' => {
                        columns.push((start, sql[..j].trim_end().len()));
                        start = skip_space(j + 1);
                    }
                    Some(_) if word("FROM") => {
                        columns.push((start, sql[..j].trim_end().len()));
                        return Some(SelectList { columns });
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    begin.map(|_| {
        columns.push((start, sql.trim_end().len()));
        SelectList { columns }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_of_parameters_become_parameters_computed_before_the_statement() {
        let p = plan(
            "INSERT INTO users (id, company_id, email, email_index) VALUES (?1, ?2, \
             armario_seal('users', 'email', ?2, ?3), armario_email_index(?3))",
        )
        .unwrap();
        assert_eq!(
            p.sql,
            "INSERT INTO users (id, company_id, email, email_index) VALUES (?1, ?2, ?4, ?5)"
        );
        assert_eq!(
            p.computed,
            vec![
                Computed::Seal {
                    table: "users".into(),
                    column: "email".into(),
                    company: 2,
                    value: 3
                },
                Computed::EmailIndex { value: 3 }
            ]
        );
    }

    #[test]
    fn opened_columns_of_the_outer_list_are_folded_back() {
        let p = plan(
            "SELECT id, armario_open('users', 'email', company_id, email) AS email, \
             armario_open('audit_events', 'ip', e.company_id, e.ip, k.sealed, k.key_id), \
             (SELECT count(*) FROM t WHERE a = 'x, y') FROM users WHERE id = ?1",
        )
        .unwrap();
        assert_eq!(
            p.sql,
            "SELECT id, company_id, email AS email, e.company_id, e.ip, k.sealed, k.key_id, \
             (SELECT count(*) FROM t WHERE a = 'x, y') FROM users WHERE id = ?1"
        );
        assert_eq!(p.folds[0].at, 1);
        assert_eq!(p.folds[0].width, 2);
        assert_eq!(p.folds[1].at, 3);
        assert_eq!(p.folds[1].width, 4);
    }

    #[test]
    fn calls_that_cannot_be_taken_out_are_refused_by_name() {
        for sql in [
            "UPDATE users SET email = armario_seal('users', 'email', company_id, ?2) WHERE id = ?1",
            "SELECT id FROM users WHERE armario_open('users', 'name', company_id, name) LIKE ?1",
            "SELECT (SELECT armario_open('users', 'name', u.company_id, u.name) FROM users u) FROM t",
        ] {
            let e = plan(sql).unwrap_err();
            assert!(e.starts_with("armario_"), "{e}");
        }
        assert_eq!(plan("SELECT 1").unwrap().sql, "SELECT 1");
    }
}
