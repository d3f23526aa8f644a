//! Closed sets of values the API answers with, as enums so the spec lists them and generated
//! clients get constants instead of free strings. Values read back from the database are
//! parsed here; each set has a test that every value the code writes parses.

use poem_openapi::Enum;

/// Logs a stored value no variant matches (a row written by a newer version, or a bug) and
/// answers `fallback`, so one odd row does not fail a whole list.
fn unknown<T>(set: &str, value: &str, fallback: T) -> T {
    tracing::warn!(set, value, "a stored value is not one the API knows");
    fallback
}

/// Who acted, in the audit log.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ActorKind {
    /// A signed-in user; `actor_id` is the user's id.
    User,
    /// An application, by API key; `actor_id` is the application's id.
    Application,
    /// The operator, through the `armario` CLI.
    Operator,
    /// armario itself (scheduled work).
    System,
    /// Nobody signed in (a failed sign-in, a sign-up).
    Anonymous,
}

impl ActorKind {
    pub fn from_stored(kind: &str) -> Self {
        match kind {
            "user" => Self::User,
            "application" => Self::Application,
            "operator" => Self::Operator,
            "system" => Self::System,
            "anonymous" => Self::Anonymous,
            other => unknown("actor kind", other, Self::System),
        }
    }
}

/// The group of application routes a request counts under, in usage reports and metrics.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum RouteGroup {
    /// Listing and reading linked companies.
    Companies,
    /// Reading decrypted secrets.
    Secrets,
    /// Listing a linked company's users.
    Users,
    /// Checking users' session tokens.
    Sessions,
    /// Resolving host names to companies.
    Resolve,
    /// Reading the application's own usage.
    Usage,
}

impl RouteGroup {
    pub const ALL: [Self; 6] = [
        Self::Companies,
        Self::Secrets,
        Self::Users,
        Self::Sessions,
        Self::Resolve,
        Self::Usage,
    ];

    /// The name stored in usage rows and used as the metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Companies => "companies",
            Self::Secrets => "secrets",
            Self::Users => "users",
            Self::Sessions => "sessions",
            Self::Resolve => "resolve",
            Self::Usage => "usage",
        }
    }

    pub fn from_stored(group: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str() == group)
            .unwrap_or_else(|| unknown("route group", group, Self::Companies))
    }
}

/// What started a backup run.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum BackupTrigger {
    /// The twice-daily schedule.
    Scheduler,
    /// `POST /api/v1/backups`.
    Api,
    /// `armario backup now`.
    Cli,
}

impl BackupTrigger {
    pub fn from_stored(trigger: &str) -> Self {
        match trigger {
            "scheduler" => Self::Scheduler,
            "api" => Self::Api,
            "cli" => Self::Cli,
            other => unknown("backup trigger", other, Self::Scheduler),
        }
    }
}

/// The kinds of third-party credentials armario knows the fields of. A company may also store
/// `custom_<name>` kinds with fields of its choosing.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum KnownSecretKind {
    /// Omie ERP: `app_key`, `app_secret`.
    Omie,
    /// Asaas payments: `api_key`.
    Asaas,
    /// Evolution API (WhatsApp): `base_url`, `instance`, `api_key`.
    Evolution,
    /// Google Calendar: `client_id`, `client_secret`, `refresh_token`.
    GoogleCalendar,
}

impl KnownSecretKind {
    pub const ALL: [Self; 4] = [
        Self::Omie,
        Self::Asaas,
        Self::Evolution,
        Self::GoogleCalendar,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Omie => "omie",
            Self::Asaas => "asaas",
            Self::Evolution => "evolution",
            Self::GoogleCalendar => "google_calendar",
        }
    }

    pub fn from_known(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == kind)
    }
}

/// The state of a self-service sign-up.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum SignupState {
    /// Waiting for the owner's review.
    PendingReview,
}

/// What became of a password reset request: the same for every address.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ResetState {
    /// A message is on its way if the address has an active account.
    SentIfKnown,
}

/// What became of a request to change one's address.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum EmailChangeState {
    /// A link to confirm the change is on its way to the new address.
    ConfirmationSent,
}

/// A language armario writes messages in.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
pub enum LanguageDto {
    /// Brazilian Portuguese.
    #[oai(rename = "pt-BR")]
    #[serde(rename = "pt-BR")]
    PtBr,
    /// English.
    #[oai(rename = "en")]
    #[serde(rename = "en")]
    En,
}

impl From<crate::domain::language::Lang> for LanguageDto {
    fn from(l: crate::domain::language::Lang) -> Self {
        match l {
            crate::domain::language::Lang::PtBr => Self::PtBr,
            crate::domain::language::Lang::En => Self::En,
        }
    }
}

impl From<LanguageDto> for crate::domain::language::Lang {
    fn from(l: LanguageDto) -> Self {
        match l {
            LanguageDto::PtBr => Self::PtBr,
            LanguageDto::En => Self::En,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::Actor;
    use crate::domain::secret_kind::KNOWN;

    #[test]
    fn languages_name_themselves_as_stored() {
        use crate::domain::language::Lang;
        for l in [Lang::PtBr, Lang::En] {
            let name = poem_openapi::types::ToJSON::to_json(&LanguageDto::from(l)).unwrap();
            assert_eq!(name, l.as_str());
            assert_eq!(Lang::from(LanguageDto::from(l)), l);
        }
    }

    #[test]
    fn every_actor_the_log_writes_has_a_kind() {
        let actors = [
            Actor::User(crate::ids::UserId::generate()),
            Actor::Application("app".into()),
            Actor::Operator,
            Actor::System,
            Actor::Anonymous,
        ];
        for actor in actors {
            let kind = ActorKind::from_stored(actor.kind());
            let name = poem_openapi::types::ToJSON::to_json(&kind).unwrap();
            assert_eq!(name, actor.kind(), "{actor:?}");
        }
    }

    #[test]
    fn every_known_secret_kind_is_an_enum_value_and_back() {
        assert_eq!(KNOWN.len(), KnownSecretKind::ALL.len());
        for k in KNOWN {
            let kind = KnownSecretKind::from_known(k.kind).expect(k.kind);
            let name = poem_openapi::types::ToJSON::to_json(&kind).unwrap();
            assert_eq!(name, k.kind);
        }
    }

    #[test]
    fn route_groups_and_triggers_name_themselves_as_stored() {
        for g in RouteGroup::ALL {
            let name = poem_openapi::types::ToJSON::to_json(&g).unwrap();
            assert_eq!(name, g.as_str());
            assert_eq!(RouteGroup::from_stored(g.as_str()), g);
        }
        for t in ["scheduler", "api", "cli"] {
            let name = poem_openapi::types::ToJSON::to_json(&BackupTrigger::from_stored(t));
            assert_eq!(name.unwrap(), t);
        }
    }
}
