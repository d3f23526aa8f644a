//! Strong id types. Ids are opaque strings: a short prefix naming the kind of object and a
//! UUIDv7 in hex, so they sort by creation time (keyset pagination) and cannot be guessed.

use std::fmt;

macro_rules! id_type {
    ($name:ident, $prefix:literal) => {
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, uuid::Uuid::now_v7().simple()))
            }

            /// Parses an id from outside; `None` when it cannot be an id of this kind
            /// (callers answer 404, as for any unknown id).
            pub fn parse(raw: &str) -> Option<Self> {
                let hex = raw.strip_prefix($prefix)?;
                let ok = hex.len() == 32 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
                ok.then(|| Self(raw.to_string()))
            }

            /// An id that names nothing (no generated id has this form): what a malformed id
            /// in a path stands for, so the route answers "not found" as for any unknown id.
            pub(crate) fn unmatched() -> Self {
                Self(concat!($prefix, "-").to_string())
            }

            /// Wraps a value read from our own database.
            pub fn from_db(raw: String) -> Self {
                Self(raw)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                String::column_result(v).map(Self)
            }
        }
    };
}

id_type!(CompanyId, "cmp_");
id_type!(UserId, "usr_");
id_type!(ApplicationId, "app_");
id_type!(CredentialId, "crd_");
id_type!(LinkId, "lnk_");
id_type!(InvitationId, "inv_");
id_type!(SessionId, "ses_");
id_type!(PlanId, "pln_");
id_type!(PrivacyRequestId, "dsr_");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_generated_and_rejects_other_kinds() {
        let id = CompanyId::generate();
        assert_eq!(CompanyId::parse(id.as_str()), Some(id.clone()));
        assert!(UserId::parse(id.as_str()).is_none());
        assert!(CompanyId::parse("cmp_../../etc").is_none());
    }
}
