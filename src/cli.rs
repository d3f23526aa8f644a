//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Overrides;

#[derive(Parser, Debug)]
#[command(
    name = "armario",
    version,
    about = "Tenant manager in one binary: companies, users, applications, sealed secrets, audit and backups"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Settings file (default: ./armario.toml when it exists).
    #[arg(long, global = true, env = "ARMARIO_CONFIG")]
    pub config: Option<PathBuf>,
    /// Data directory (default: ./armario-data).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080; port 0 picks a free port).
        #[arg(long)]
        addr: Option<String>,
    },
    /// Manage owners and recover accounts from the server's console.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Take, list and verify backups.
    Backup {
        #[command(subcommand)]
        command: BackupCommand,
    },
    /// Restore the database from a backup (the server must be stopped): `latest`, a backup id,
    /// or the path of a backup file with its manifest beside it.
    Restore {
        #[arg(default_value = "latest")]
        backup: String,
        /// Restore to this path instead of replacing the live database.
        #[arg(long)]
        to: Option<PathBuf>,
        /// Open the backup with this master key file instead of the current key (a backup taken
        /// before a key rotation).
        #[arg(long)]
        master_key_file: Option<PathBuf>,
    },
    /// Manage the master key and the OpenID signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Check the audit log's hash chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// See the e-mail outbox and send dead-lettered messages again (also while the server runs).
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Copy the whole store into an empty one (a SQLite file or a PostgreSQL URL, either
    /// way), then check every table's row count and content hash on both. The source is only
    /// read.
    MigrateStore {
        /// The store to copy: a SQLite file's path or a `postgres://` URL.
        #[arg(long)]
        from: String,
        /// The empty store to fill: a path (created when missing) or a `postgres://` URL.
        #[arg(long)]
        to: String,
        /// A PEM file of CA certificates PostgreSQL's TLS certificate may chain to, besides
        /// the webpki roots.
        #[arg(long)]
        ca_file: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Walk the chain and name the first event that breaks it (edited, deleted or inserted
    /// outside armario); exits with an error when one does. Also while the server runs.
    Verify {
        /// Also check that the chain still holds the head recorded by this backup (`latest`,
        /// an id, or a file): catches a chain cut short at its end.
        #[arg(long)]
        against: Option<String>,
        /// Open the backup with this master key file instead of the current key.
        #[arg(long, requires = "against")]
        master_key_file: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum MailCommand {
    /// List the newest messages: when, to whom, status, attempts and the last error.
    List {
        /// Only dead-lettered messages.
        #[arg(long)]
        dead: bool,
        /// Only queued messages.
        #[arg(long, conflicts_with = "dead")]
        queued: bool,
        /// How many (default 50).
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Put every dead-lettered message back in the queue; a running server sends them within
    /// half a minute.
    Retry,
}

#[derive(Subcommand, Debug)]
pub enum BackupCommand {
    /// Take a backup now (also while the server runs).
    Now {
        /// Verify it once stored, as `backup verify` does, and record the outcome (the server
        /// verifies each of its own runs).
        #[arg(long)]
        verify: bool,
    },
    /// List the backups the target holds.
    List,
    /// Download a backup and check it end to end without touching the database: `latest`, an
    /// id, or a file.
    Verify {
        #[arg(default_value = "latest")]
        backup: String,
        /// Open the backup with this master key file instead of the current key.
        #[arg(long)]
        master_key_file: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Make a new OpenID signing key (also while the server runs; it switches within
    /// `signing_key_check_secs`). The old key stops signing and stays published until every
    /// token it signed has expired. Audited as the operator.
    RotateSigning,
    /// Re-seal every stored secret under a new master key. Stop the server first.
    Rotate {
        /// File holding the new key (64 hex characters or base64 of 32 bytes); created with a
        /// fresh random key (mode 0600) when it does not exist.
        #[arg(long)]
        new_key_file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create a platform owner. The password is read from the terminal, or from standard input
    /// when it is not a terminal.
    Create {
        #[arg(long)]
        email: String,
        /// Display name (default: the part of the e-mail before @).
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a user's password and revoke their sessions (audited as the operator). The password
    /// is read from the terminal, or from standard input when it is not a terminal.
    SetPassword {
        #[arg(long)]
        email: String,
    },
    /// Print a one-time sign-in link for a user, valid 15 minutes (audited as the operator).
    LoginLink {
        #[arg(long)]
        email: String,
    },
    /// Remove a user's second factor (authenticator and recovery codes), for an owner who lost
    /// theirs; audited as the operator. They sign in with the password and may set it up again.
    ResetMfa {
        #[arg(long)]
        email: String,
    },
}

impl GlobalArgs {
    pub fn overrides(&self, addr: Option<String>) -> Overrides {
        Overrides {
            config: self.config.clone(),
            data_dir: self.data_dir.clone(),
            addr,
        }
    }
}
