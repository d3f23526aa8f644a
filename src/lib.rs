//! armario: a tenant manager in one binary.

pub mod access;
pub mod admin_cli;
pub mod api;
pub mod app;
pub mod audit_cli;
pub mod backup;
pub mod backup_cli;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod datadir;
pub mod db;
pub mod domain;
pub mod error;
pub mod ids;
pub mod keys_cli;
pub(crate) mod logging;
pub mod mail;
pub mod mail_cli;
pub(crate) mod metrics;
pub(crate) mod middleware;
pub mod oidc;
pub(crate) mod server;
pub mod service;
pub(crate) mod web;
