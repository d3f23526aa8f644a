//! The companies' cells on PostgreSQL: the calls [`crate::db::sql::cells`] took out of a
//! statement, computed before it runs (sealed values, keyed indexes, new keys) and folded back
//! into opened values as its rows are read, under the same rules as SQLite's functions.

use std::sync::Arc;

use rusqlite::types::Value;

use super::errors::failure;
use super::{Inner, Session, PREPARED_KEPT};
use crate::crypto::company_keys::KeyRing;
use crate::db::cell_functions::{open_value, seal_value, CompanyKey};
use crate::db::sql::cells;
use crate::db::sql::row::Fetched;

impl Session {
    pub(super) fn plan_locked(
        &self,
        inner: &mut Inner,
        sql: &str,
    ) -> rusqlite::Result<Arc<cells::Plan>> {
        if let Some(p) = inner.plans.get(sql) {
            return Ok(p.clone());
        }
        let plan = Arc::new(cells::plan(sql).map_err(|e| failure(rusqlite::ffi::SQLITE_ERROR, e))?);
        if inner.plans.len() >= PREPARED_KEPT {
            inner.plans.clear();
        }
        inner.plans.insert(sql.to_string(), plan.clone());
        Ok(plan)
    }

    pub(super) fn plan(&self, sql: &str) -> rusqlite::Result<Arc<cells::Plan>> {
        let mut inner = self.inner.borrow_mut();
        self.plan_locked(&mut inner, sql)
    }

    /// The caller's values with the plan's computed ones after them.
    pub(super) fn with_computed(
        &self,
        plan: &cells::Plan,
        values: &[Value],
    ) -> rusqlite::Result<Vec<Value>> {
        let mut all = values.to_vec();
        if plan.computed.is_empty() {
            return Ok(all);
        }
        let keys = self.inner.borrow().keys.clone();
        let ring = keys.as_deref();
        let arg = |n: usize| {
            values
                .get(n.wrapping_sub(1))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let text = |v: Value| match v {
            Value::Text(t) => Some(t),
            _ => None,
        };
        for c in &plan.computed {
            let v = match c {
                cells::Computed::Seal {
                    table,
                    column,
                    company,
                    value,
                } => {
                    let company = text(arg(*company));
                    seal_value(
                        table,
                        column,
                        company.as_deref(),
                        arg(*value),
                        ring,
                        |r, c| self.company_key(r, c),
                    )?
                }
                cells::Computed::EmailIndex { value } => match (ring, text(arg(*value))) {
                    (Some(r), Some(email)) => Value::Blob(r.email_index(&email)),
                    _ => Value::Null,
                },
                cells::Computed::MasterKeyId => {
                    ring.map_or(Value::Null, |r| Value::Text(r.current_key_id().to_string()))
                }
                cells::Computed::NewCompanyKey { company } => match (ring, text(arg(*company))) {
                    (Some(r), Some(company)) => {
                        let (key, sealed) = r.new_company_key(&company);
                        r.remember(&company, &key);
                        Value::Blob(sealed.bytes)
                    }
                    _ => Value::Null,
                },
                cells::Computed::ForgetCompanyKey { company } => {
                    if let (Some(r), Some(company)) = (ring, text(arg(*company))) {
                        r.forget(&company);
                    }
                    Value::Integer(1)
                }
            };
            all.push(v);
        }
        Ok(all)
    }

    /// The company's key: from the ring's memory, else read from `company_keys` and opened.
    pub(super) fn company_key(
        &self,
        ring: &KeyRing,
        company: &str,
    ) -> rusqlite::Result<CompanyKey> {
        if let Some(key) = ring.cached(company) {
            return Ok(Some(key));
        }
        let found = self.run_query(
            "SELECT sealed, key_id FROM company_keys WHERE company_id = ?1 AND sealed IS NOT NULL",
            &[Value::Text(company.to_string())],
        )?;
        match found.rows.first().map(Vec::as_slice) {
            Some([Value::Blob(sealed), Value::Text(key_id)]) => ring
                .open_company_key(company, sealed, key_id)
                .map(Some)
                .map_err(|e| failure(rusqlite::ffi::SQLITE_ERROR, e.to_string())),
            _ => Ok(None),
        }
    }

    /// Each folded group of columns read as the one value it opens to.
    pub(super) fn fold(
        &self,
        plan: &cells::Plan,
        mut fetched: Fetched,
    ) -> rusqlite::Result<Fetched> {
        if plan.folds.is_empty() {
            return Ok(fetched);
        }
        let keys = self.inner.borrow().keys.clone();
        let ring = keys.as_deref();
        for row in &mut fetched.rows {
            for f in plan.folds.iter().rev() {
                let group: Vec<Value> = row.splice(f.at..f.at + f.width, []).collect();
                let company = match &group[0] {
                    Value::Text(t) => Some(t.as_str()),
                    _ => None,
                };
                let joined = match group.get(2..4) {
                    Some([Value::Blob(sealed), Value::Text(key_id)]) => Some((sealed, key_id)),
                    _ => None,
                };
                let opened = open_value(
                    &f.table,
                    &f.column,
                    company,
                    group[1].clone(),
                    ring,
                    |r, c| match joined {
                        Some((sealed, key_id)) if r.cached(c).is_none() => r
                            .open_company_key(c, sealed, key_id)
                            .map(Some)
                            .map_err(|e| failure(rusqlite::ffi::SQLITE_ERROR, e.to_string())),
                        _ => self.company_key(r, c),
                    },
                )?;
                row.insert(f.at, clear_text(opened));
            }
        }
        fetched.names = folded_names(plan, &fetched.names).into();
        Ok(fetched)
    }
}

/// The names of a statement's columns once its opened cells are folded: each opened value is
/// named as its value column is (`… AS email`).
pub(super) fn folded_names(plan: &cells::Plan, names: &[String]) -> Vec<String> {
    let mut names = names.to_vec();
    for f in plan.folds.iter().rev() {
        let name = names[f.at + 1].clone();
        names.splice(f.at..f.at + f.width, [name]);
    }
    names
}

/// A cell in clear as SQLite holds it: PostgreSQL keeps a sealed column as bytes, so a value
/// left in clear there (the platform owner's address, say) is its UTF-8 text.
fn clear_text(value: Value) -> Value {
    match value {
        Value::Blob(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Value::Text(text),
            Err(e) => Value::Blob(e.into_bytes()),
        },
        other => other,
    }
}
