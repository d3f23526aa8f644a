// The actions the audit log records, grouped by kind for the action picker. Every action the
// server writes is listed here (tests/e2e/static.test.mjs compares this list with src/).
export const AUDIT_ACTIONS = {
  company: ['company.created', 'company.signup', 'company.updated', 'company.approved', 'company.suspended', 'company.reactivated', 'company.cancelled'],
  user: ['user.created', 'user.updated', 'user.approved', 'user.disabled', 'user.enabled', 'user.deleted', 'user.password_changed', 'user.password_set', 'user.password_reset', 'user.email_verified', 'user.email_change_requested', 'user.email_changed', 'owner.created', 'invitation.created', 'invitation.resent', 'invitation.revoked', 'invitation.accepted', 'invitation.accept_failed'],
  auth: ['auth.login', 'auth.login_failed', 'auth.login_link', 'auth.login_link_issued', 'auth.logout', 'auth.password_reset_requested', 'auth.magic_link_requested', 'auth.magic_link', 'auth.magic_link_failed', 'session.ended', 'session.others_ended', 'session.all_ended', 'auth.mfa_challenged', 'mfa.enrolment_started', 'mfa.enabled', 'mfa.disabled', 'mfa.recovery_codes_regenerated', 'mfa.recovery_code_used', 'mfa.code_failed', 'mfa.reset', 'mfa.policy_changed', 'oidc.sign_in', 'oidc.sign_in_refused', 'oidc.code_reused', 'oidc.refresh_reused', 'oidc.token_revoked'],
  application: ['application.created', 'application.updated', 'application.deleted', 'credential.created', 'credential.revoked', 'link.created', 'link.updated', 'link.revoked', 'application.oidc_changed', 'application.roles_changed', 'role.granted', 'role.revoked', 'webhook.created', 'webhook.updated', 'webhook.deleted', 'webhook.secret_rotated', 'webhook.replayed'],
  secret: ['secret.set', 'secret.read', 'secret.deleted'],
  domain: ['domain.added', 'domain.removed'],
  system: ['backup.succeeded', 'backup.failed', 'backup.restored', 'keys.rotated', 'oidc.signing_key_rotated', 'mail.requeued', 'alerts.preferences_changed'],
};
