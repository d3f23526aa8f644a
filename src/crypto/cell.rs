//! Cells sealed under a company's data key: one SQLite value (text or blob) as AES-256-GCM
//! ciphertext that says by itself that it is sealed, bound to its table, column and company.
//! The live store seals its users' e-mails, names and search text and its companies' secrets
//! this way; a backup seals every other personal column the same way under the same key, so a
//! restore opens both alike.

use aes_gcm::aead::{Aead, AeadInPlace, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use rand::RngCore;
use rusqlite::types::Value;

/// Starts every sealed cell, so a cell tells by itself that it is sealed.
pub const CELL_MAGIC: &[u8] = b"ARMPD1";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// The first plaintext byte: which SQLite type the cell had.
const TEXT: u8 = 1;
const BLOB: u8 = 2;

/// The associated data of a cell: a cell moved to another column or company does not open.
/// The label predates the live store's sealing; cells of both kinds share it.
pub fn aad(table: &str, column: &str, company: &str) -> Vec<u8> {
    let mut aad = aad_prefix(table, column);
    aad.extend_from_slice(company.as_bytes());
    aad
}

/// What [`aad`] puts before the company: a caller that seals a column's cells for many
/// companies builds it once and appends each company.
pub fn aad_prefix(table: &str, column: &str) -> Vec<u8> {
    format!("armario/backup-cell/v1|{table}|{column}|").into_bytes()
}

pub fn is_sealed(value: &Value) -> bool {
    matches!(value, Value::Blob(b) if b.starts_with(CELL_MAGIC))
}

/// The sealed cell of `value`; `None` for numbers and NULL, which carry nothing personal in
/// these columns.
pub fn seal_cell(key: &[u8; 32], aad: &[u8], value: &Value) -> Option<Value> {
    let (is_text, bytes) = match value {
        Value::Text(t) => (true, t.as_bytes()),
        Value::Blob(b) => (false, b.as_slice()),
        _ => return None,
    };
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    Some(Value::Blob(seal_bytes(&cipher, aad, is_text, bytes)))
}

/// The sealed cell of a text (`is_text`) or blob's bytes, built and encrypted in one buffer
/// (no clear copy is left behind): for callers that seal millions of cells (a backup's copy),
/// have the bytes borrowed from SQLite, not a [`Value`], and keep a company's cipher between
/// cells.
pub fn seal_bytes(cipher: &Aes256Gcm, aad: &[u8], is_text: bool, bytes: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::thread_rng().fill_bytes(&mut nonce);
    let head = CELL_MAGIC.len() + NONCE_LEN;
    let mut cell = Vec::with_capacity(head + 1 + bytes.len() + TAG_LEN);
    cell.extend_from_slice(CELL_MAGIC);
    cell.extend_from_slice(&nonce);
    cell.push(if is_text { TEXT } else { BLOB });
    cell.extend_from_slice(bytes);
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(&nonce), aad, &mut cell[head..])
        .expect("AES-GCM encryption of a bounded cell");
    cell.extend_from_slice(&tag);
    cell
}

/// The value of a sealed cell; `None` when it is not one, or does not open with `key` here.
pub fn open_cell(key: &[u8; 32], aad: &[u8], cell: &[u8]) -> Option<Value> {
    let rest = cell.strip_prefix(CELL_MAGIC)?;
    if rest.len() < NONCE_LEN {
        return None;
    }
    let (nonce, sealed) = rest.split_at(NONCE_LEN);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let plain = cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
        .ok()?;
    match plain.split_first()? {
        (&TEXT, text) => String::from_utf8(text.to_vec()).ok().map(Value::Text),
        (&BLOB, blob) => Some(Value::Blob(blob.to_vec())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip_and_refuse_another_place_or_key() {
        let key = [7u8; 32];
        let text = Value::Text("Ana Canário".into());
        let sealed = seal_cell(&key, b"a", &text).unwrap();
        assert!(is_sealed(&sealed));
        let Value::Blob(bytes) = &sealed else {
            panic!()
        };
        assert_eq!(open_cell(&key, b"a", bytes), Some(text));
        assert_eq!(open_cell(&key, b"b", bytes), None, "moved to another cell");
        assert_eq!(open_cell(&[8u8; 32], b"a", bytes), None, "another key");
        let blob = Value::Blob(vec![0, 1, 2]);
        let Value::Blob(sealed) = seal_cell(&key, b"a", &blob).unwrap() else {
            panic!()
        };
        assert_eq!(open_cell(&key, b"a", &sealed), Some(blob));
        assert_eq!(seal_cell(&key, b"a", &Value::Integer(3)), None);
    }

    #[test]
    fn cells_sealed_from_bytes_open_as_the_value_they_came_from() {
        let key = [9u8; 32];
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key));
        let cell = seal_bytes(&cipher, b"a", true, "São Paulo".as_bytes());
        assert!(is_sealed(&Value::Blob(cell.clone())));
        assert_eq!(
            open_cell(&key, b"a", &cell),
            Some(Value::Text("São Paulo".into()))
        );
        assert_eq!(open_cell(&key, b"b", &cell), None, "moved to another cell");
        let cell = seal_bytes(&cipher, b"a", false, &[0, 1, 2]);
        assert_eq!(
            open_cell(&key, b"a", &cell),
            Some(Value::Blob(vec![0, 1, 2]))
        );
        let again = seal_bytes(&cipher, b"a", false, &[0, 1, 2]);
        assert_ne!(cell, again, "each cell has a nonce of its own");
    }
}
