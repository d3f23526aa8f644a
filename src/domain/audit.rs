//! Audit events: who did what to which object, from where and when.

use serde_json::Value;

use crate::ids::{CompanyId, UserId};

/// Who acted.
#[derive(Clone, Debug)]
pub enum Actor {
    User(UserId),
    Application(String),
    Operator,
    System,
    Anonymous,
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::User(_) => "user",
            Self::Application(_) => "application",
            Self::Operator => "operator",
            Self::System => "system",
            Self::Anonymous => "anonymous",
        }
    }

    pub fn id(&self) -> Option<String> {
        match self {
            Self::User(id) => Some(id.to_string()),
            Self::Application(id) => Some(id.clone()),
            _ => None,
        }
    }
}

/// The actor of a request and where it came from.
#[derive(Clone, Debug)]
pub struct AuditCtx {
    pub actor: Actor,
    pub ip: Option<String>,
}

impl AuditCtx {
    pub(crate) fn operator() -> Self {
        Self {
            actor: Actor::Operator,
            ip: None,
        }
    }

    pub fn system() -> Self {
        Self {
            actor: Actor::System,
            ip: None,
        }
    }
}

/// An event to record. `details` must never hold a secret or a hash.
#[derive(Clone, Debug)]
pub struct NewAuditEvent {
    pub company_id: Option<CompanyId>,
    pub action: &'static str,
    pub target_kind: Option<&'static str>,
    pub target_id: Option<String>,
    pub details: Value,
}

impl NewAuditEvent {
    pub fn new(action: &'static str) -> Self {
        Self {
            company_id: None,
            action,
            target_kind: None,
            target_id: None,
            details: Value::Object(Default::default()),
        }
    }

    pub fn company(mut self, id: &CompanyId) -> Self {
        self.company_id = Some(id.clone());
        self
    }

    pub fn target(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.target_kind = Some(kind);
        self.target_id = Some(id.to_string());
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

#[derive(Clone, Debug)]
pub struct AuditEvent {
    pub id: i64,
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub company_id: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub details: Value,
    /// Display names beside the ids, for people reading the log; absent when the object is gone
    /// or when the reader may not see it (see `AuditFilter::names_within`).
    pub actor_name: Option<String>,
    pub company_name: Option<String>,
    pub target_name: Option<String>,
}

#[derive(Debug, Default)]
pub struct AuditFilter {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub action: Option<String>,
    pub actor_id: Option<String>,
    pub company_id: Option<CompanyId>,
    /// Names are given only for users, applications and companies of this company (a company
    /// admin's view: the platform's owner and other companies stay unnamed); `None` names all.
    pub names_within: Option<CompanyId>,
}
