// Company fields shared by the owner's dashboard, the portal and sign-up.
import { formatCnpj } from './format.js';
import { t } from './i18n.js';

export const COMPANY_STATUSES = ['pending', 'active', 'suspended', 'cancelled'];
const SLUG = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const PHONE_CHARS = /^[\d+ ()-]*$/;

function phoneProblem(v, final) {
  if (!v) return null;
  if (!PHONE_CHARS.test(v)) return t('validation.phoneChars');
  const digits = v.replace(/\D/g, '').length;
  return final && (digits < 8 || digits > 15) ? t('validation.phoneDigits') : null;
}

export function companyName(c) {
  if (!c) return '';
  return c.display_name || c.trade_name || c.legal_name || c.id;
}

export function companyLabel(c) {
  return `${companyName(c)} · ${formatCnpj(c.cnpj || '')}`;
}

/**
 * Field specs for a company's registration data. `owner` adds slug, plan and user limit;
 * `cnpjLocked` makes the CNPJ read-only (only the owner may change a company's CNPJ).
 */
export function companyFields(c = {}, { owner = false, create = false, cnpjLocked = false } = {}) {
  const fields = [
    { name: 'legal_name', label: t('company.legalName'), required: true, maxLength: 200, value: c.legal_name, autocomplete: 'organization', wide: true },
    { name: 'trade_name', label: t('company.tradeName'), maxLength: 200, value: c.trade_name },
    {
      name: 'cnpj',
      label: t('company.cnpj'),
      type: 'cnpj',
      required: true,
      value: c.cnpj,
      readonly: cnpjLocked,
      hint: cnpjLocked ? t('company.cnpjLocked') : t('company.cnpjHint'),
      valid: cnpjLocked ? undefined : () => t('validation.cnpjOk'),
    },
    { name: 'contact_email', label: t('company.contactEmail'), type: 'email', maxLength: 254, value: c.contact_email, autocomplete: 'email' },
    { name: 'contact_phone', label: t('company.contactPhone'), type: 'tel', maxLength: 32, value: c.contact_phone, autocomplete: 'tel', hint: t('company.phoneHint'), validate: phoneProblem },
  ];
  if (owner) {
    fields.push(
      {
        name: 'slug',
        label: t('company.slug'),
        minLength: 3,
        maxLength: 63,
        value: c.slug,
        hint: create ? t('company.slugHintCreate') : t('company.slugHint'),
        validate: (v) => (v && !SLUG.test(v) ? t('validation.slug') : null),
      },
    );
    // An existing company's plan is set on its plan card (shared/plan-card.js).
    if (create) {
      fields.push(
        { name: 'plan', label: t('company.plan'), maxLength: 50, value: c.plan },
        { name: 'max_users', label: t('company.maxUsers'), type: 'number', min: 1, max: 100000, value: c.max_users, validate: (v) => (v !== null && (!Number.isInteger(v) || v < 1) ? t('validation.positiveInt') : null) },
      );
    }
  }
  return fields;
}

/** Removes empty optional values so a create request only carries what was typed. */
export function withoutEmpty(values) {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '' && v !== null && v !== undefined));
}

export function cnpjText(c) {
  return c && c.cnpj ? formatCnpj(c.cnpj) : '—';
}
