//! The operator: whoever runs armario's commands on the server's console. There is no
//! password or session behind it; what proves it is holding the master key, so an
//! [`Operator`] is made only from a loaded [`MasterKey`], and the console's services (owner
//! creation, password resets, sign-in links, key rotation, backups from the CLI) take one.
//!
//! Without the key there is no operator to pass:
//!
//! ```compile_fail,E0451
//! let operator = armario::access::Operator { _proof: () };
//! ```
//!
//! ```no_run
//! # async fn console(settings: armario::config::Settings) -> Result<(), String> {
//! let key = armario::datadir::master_key(&settings)?;
//! let operator = armario::access::Operator::holding(&key);
//! # let _ = operator; Ok(())
//! # }
//! ```

use crate::crypto::MasterKey;
use crate::domain::audit::AuditCtx;

/// Proof that the caller opened the data directory with its master key.
#[derive(Debug)]
pub struct Operator {
    _proof: (),
}

impl Operator {
    /// The operator who loaded `key`. Taking the key, not a flag, keeps a command that could
    /// not load it from acting as the operator.
    pub fn holding(key: &MasterKey) -> Self {
        let _ = key;
        Self { _proof: () }
    }

    /// Who the audit log names for the operator's changes.
    pub fn audit(&self) -> AuditCtx {
        AuditCtx::operator()
    }
}
