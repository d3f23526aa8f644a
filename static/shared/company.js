// Company fields shared by the owner's dashboard, the portal and sign-up.
import { formatCnpj } from './format.js';
import { t } from './i18n.js';

export const COMPANY_STATUSES = ['pending', 'active', 'suspended', 'cancelled'];
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function companyName(c) {
  if (!c) return '';
  return c.display_name || c.trade_name || c.legal_name || c.id;
}

export function companyLabel(c) {
  return `${companyName(c)} · ${formatCnpj(c.cnpj || '')}`;
}

/**
 * Field specs for a company's registration data. `owner` adds slug, plan and user limit;
 * `cnpjLocked` makes the CNPJ read-only (a company admin can't move the company to another CNPJ).
 */
export function companyFields(c = {}, { owner = false, create = false } = {}) {
  const fields = [
    { name: 'legal_name', label: t('company.legalName'), required: true, maxLength: 200, value: c.legal_name, autocomplete: 'organization', wide: true },
    { name: 'trade_name', label: t('company.tradeName'), maxLength: 200, value: c.trade_name },
    {
      name: 'cnpj',
      label: t('company.cnpj'),
      type: 'cnpj',
      required: true,
      value: c.cnpj,
      hint: t('company.cnpjHint'),
      valid: () => t('validation.cnpjOk'),
    },
    { name: 'contact_email', label: t('company.contactEmail'), type: 'email', maxLength: 254, value: c.contact_email, autocomplete: 'email' },
    { name: 'contact_phone', label: t('company.contactPhone'), type: 'tel', maxLength: 30, value: c.contact_phone, autocomplete: 'tel' },
  ];
  if (owner) {
    fields.push(
      {
        name: 'slug',
        label: t('company.slug'),
        maxLength: 63,
        value: c.slug,
        hint: create ? t('company.slugHintCreate') : t('company.slugHint'),
        validate: (v) => (v && !SLUG.test(v) ? t('validation.slug') : null),
      },
      { name: 'plan', label: t('company.plan'), maxLength: 60, value: c.plan },
      { name: 'max_users', label: t('company.maxUsers'), type: 'number', min: 1, max: 100000, value: c.max_users, validate: (v) => (v !== null && (!Number.isInteger(v) || v < 1) ? t('validation.positiveInt') : null) },
    );
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
