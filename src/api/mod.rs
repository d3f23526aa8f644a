//! The HTTP API: one struct per resource, combined into one OpenAPI service. Handlers are thin:
//! resolve the principal, convert the input, call the service, map the result.

pub(crate) mod alerts;
pub(crate) mod app;
pub(crate) mod app_auth;
pub(crate) mod app_plans;
pub(crate) mod app_roles;
mod app_webhooks;
pub(crate) mod applications;
pub(crate) mod audit;
pub(crate) mod audit_integrity;
pub(crate) mod auth;
pub(crate) mod backups;
pub(crate) mod body;
pub(crate) mod companies;
mod company_shapes;
pub(crate) mod configs;
pub(crate) mod day;
pub(crate) mod docs;
pub(crate) mod email_address;
pub(crate) mod enums;
pub(crate) mod erasure;
pub(crate) mod error;
pub(crate) mod examples;
pub(crate) mod health;
pub(crate) mod input;
pub(crate) mod invitations;
pub(crate) mod language;
pub(crate) mod links;
pub(crate) mod logos;
pub(crate) mod magic_link;
pub(crate) mod messages;
pub(crate) mod metrics;
pub(crate) mod mfa;
pub(crate) mod oidc;
pub(crate) mod oidc_clients;
pub(crate) mod overview;
pub(crate) mod password_reset;
pub(crate) mod path_id;
pub(crate) mod plans;
pub(crate) mod privacy;
pub(crate) mod privacy_export;
mod provisioning;
pub(crate) mod rendered;
pub(crate) mod reports;
pub(crate) mod response_limits;
pub(crate) mod retention_settings;
pub(crate) mod routes;
pub(crate) mod secrets;
pub(crate) mod session;
pub(crate) mod sessions;
pub(crate) mod signup;
pub(crate) mod spec;
pub(crate) mod spec_docs;
pub(crate) mod statuses;
pub(crate) mod time;
pub(crate) mod usage;
pub(crate) mod users;
pub(crate) mod webhooks;

use poem_openapi::OpenApiService;

use crate::service::AppState;

/// Signing in and one's own account, kept as one member: poem-openapi implements its traits for
/// tuples of at most 16.
pub type AuthApis = (
    session::SessionApi,
    sessions::SessionsApi,
    password_reset::PasswordResetApi,
    email_address::EmailAddressApi,
    magic_link::MagicLinkApi,
);

/// The applications' own API and their roles, kept as one member (see [`AuthApis`]).
pub type AppApis = (
    app::AppApi,
    app_roles::AppRolesApi,
    app_webhooks::AppWebhooksApi,
    configs::ConfigsApi,
    app_plans::AppPlansApi,
);

pub type Apis = (
    AuthApis,
    signup::SignupApi,
    companies::CompaniesApi,
    users::UsersApi,
    invitations::InvitationsApi,
    secrets::SecretsApi,
    (
        audit::AuditApi,
        audit_integrity::AuditIntegrityApi,
        reports::ReportsApi,
        retention_settings::RetentionApi,
    ),
    applications::ApplicationsApi,
    links::LinksApi,
    usage::UsageApi,
    AppApis,
    overview::OverviewApi,
    backups::BackupsApi,
    alerts::AlertsApi,
    mfa::MfaApi,
    (
        oidc_clients::OidcClientsApi,
        webhooks::WebhooksApi,
        provisioning::ProvisioningApi,
        plans::PlansApi,
        privacy::PrivacyApi,
        privacy_export::DpoExportApi,
        erasure::ErasureApi,
    ),
);

pub fn service(state: &AppState) -> OpenApiService<Apis, ()> {
    let apis = (
        (
            session::SessionApi::new(state.clone()),
            sessions::SessionsApi::new(state.clone()),
            password_reset::PasswordResetApi::new(state.clone()),
            email_address::EmailAddressApi::new(state.clone()),
            magic_link::MagicLinkApi::new(state.clone()),
        ),
        signup::SignupApi::new(state.clone()),
        companies::CompaniesApi::new(state.clone()),
        users::UsersApi::new(state.clone()),
        invitations::InvitationsApi::new(state.clone()),
        secrets::SecretsApi::new(state.clone()),
        (
            audit::AuditApi::new(state.clone()),
            audit_integrity::AuditIntegrityApi::new(state.clone()),
            reports::ReportsApi::new(state.clone()),
            retention_settings::RetentionApi::new(state.clone()),
        ),
        applications::ApplicationsApi::new(state.clone()),
        links::LinksApi::new(state.clone()),
        usage::UsageApi::new(state.clone()),
        (
            app::AppApi::new(state.clone()),
            app_roles::AppRolesApi::new(state.clone()),
            app_webhooks::AppWebhooksApi::new(state.clone()),
            configs::ConfigsApi::new(state.clone()),
            app_plans::AppPlansApi::new(state.clone()),
        ),
        overview::OverviewApi::new(state.clone()),
        backups::BackupsApi::new(state.clone()),
        alerts::AlertsApi::new(state.clone()),
        mfa::MfaApi::new(state.clone()),
        (
            oidc_clients::OidcClientsApi::new(state.clone()),
            webhooks::WebhooksApi::new(state.clone()),
            provisioning::ProvisioningApi::new(state.clone()),
            plans::PlansApi::new(state.clone()),
            privacy::PrivacyApi::new(state.clone()),
            privacy_export::DpoExportApi::new(state.clone()),
            erasure::ErasureApi::new(state.clone()),
        ),
    );
    OpenApiService::new(apis, "armario", env!("CARGO_PKG_VERSION"))
        .url_prefix("/api/v1")
        .description(
            "Tenant manager: companies, their users, applications and their credentials, sealed \
             third-party secrets and the audit log. Errors share one shape: \
             `{\"code\", \"message\", \"field\"?, \"error_id\"?}`. Lists use keyset pagination: \
             `limit` (default 50, at most 200) and the `next_cursor` of the previous page.",
        )
        // Each deployment has its own address and operator: the paths are relative to the
        // host that serves this document (an absolute default would send tools that follow
        // `servers`, such as fuzzers, elsewhere), and the contact is whoever runs it.
        .server(
            poem_openapi::ServerObject::new("/")
                .description("The armario server that serves this document."),
        )
        .contact(poem_openapi::ContactObject::new().name("The operator of this armario server"))
        .license(poem_openapi::LicenseObject::new("MIT").url("https://opensource.org/licenses/MIT"))
}

/// The OpenAPI document as JSON, as served at `/api/openapi.json`.
pub fn spec_json(state: &AppState) -> String {
    document(&service(state).spec())
}

/// The published document made from poem-openapi's: as strict as the server, and completed
/// with what the handlers cannot say (see `spec_docs`). Keys come out sorted.
pub fn document(generated: &str) -> String {
    let mut spec = spec::strict(generated);
    spec_docs::complete(&mut spec);
    serde_json::to_string_pretty(&spec).expect("the spec serialises")
}

#[derive(poem_openapi::Tags)]
pub enum Tag {
    /// Signing in and out, the first owner.
    Auth,
    /// Self-service sign-up of a company.
    Signup,
    /// Companies (tenants).
    Companies,
    /// Users of companies.
    Users,
    /// Sealed third-party credentials of a company.
    Secrets,
    /// The audit log.
    Audit,
    /// Applications and their credentials (managed by the owner).
    Applications,
    /// The API applications call with their API key (`/api/v1/app/*`): linked companies, their
    /// users, usage and secrets, users' session checks and host resolution.
    App,
    /// Links between applications and companies; companies' custom domains.
    Links,
    /// Requests made by applications.
    Usage,
    /// Encrypted snapshots of the database.
    Backups,
    /// Two-factor sign-in: one's own authenticator, resets and policies.
    Mfa,
}
