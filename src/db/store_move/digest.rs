//! A table's content hash: SHA-256 over its rows in primary-key order, each value written with
//! its SQLite type, so a text and a blob of the same bytes differ and a value moved to a store
//! with other types hashes the same once read back.

use rusqlite::types::Value;
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableDigest {
    pub table: String,
    pub rows: u64,
    pub hash: [u8; 32],
}

impl TableDigest {
    pub fn hex(&self) -> String {
        hex::encode(self.hash)
    }
}

pub(super) struct Hasher {
    table: String,
    rows: u64,
    sha: Sha256,
}

impl Hasher {
    pub fn new(table: &str) -> Hasher {
        Hasher {
            table: table.to_string(),
            rows: 0,
            sha: Sha256::new(),
        }
    }

    pub fn row(&mut self, row: &[Value]) {
        self.rows += 1;
        self.sha.update((row.len() as u32).to_be_bytes());
        for value in row {
            match value {
                Value::Null => self.sha.update([0]),
                Value::Integer(i) => {
                    self.sha.update([1]);
                    self.sha.update(i.to_be_bytes());
                }
                Value::Real(f) => {
                    self.sha.update([2]);
                    self.sha.update(f.to_bits().to_be_bytes());
                }
                Value::Text(s) => self.bytes(3, s.as_bytes()),
                Value::Blob(b) => self.bytes(4, b),
            }
        }
    }

    fn bytes(&mut self, tag: u8, b: &[u8]) {
        self.sha.update([tag]);
        self.sha.update((b.len() as u64).to_be_bytes());
        self.sha.update(b);
    }

    pub fn finish(self) -> TableDigest {
        TableDigest {
            table: self.table,
            rows: self.rows,
            hash: self.sha.finalize().into(),
        }
    }
}
