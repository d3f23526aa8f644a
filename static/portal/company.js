// The company's data and branding. Company admins edit both; members see them read-only.
import { api } from '../shared/api.js';
import { applyBrandColor, brandingForm } from '../shared/branding.js';
import { cnpjText, companyFields, companyName } from '../shared/company.js';
import { h } from '../shared/dom.js';
import { domainsCard } from '../shared/domains.js';
import { magicSwitch } from '../shared/magic.js';
import { companyMfaPolicyCard } from '../shared/mfa-policy.js';
import { changed, createForm } from '../shared/form.js';
import { formatDateTime } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { badge, card, details, notify } from '../shared/ui.js';
import { withCompany } from './common.js';
import { planCard } from '../shared/plan-card.js';

function identity(company) {
  return h(
    'div',
    { class: 'company-id' },
    company.logo_url ? h('img', { class: 'logo-preview', src: company.logo_url, alt: t('branding.logoOf', { name: companyName(company) }) }) : null,
    h('div', {}, h('h2', {}, companyName(company)), h('p', { class: 'row' }, badge(company.status), h('span', { class: 'mono' }, cnpjText(company)))),
  );
}

function readOnly(company) {
  return h('div', {}, card(
    t('portal.companyData'),
    details([
      [t('company.legalName'), company.legal_name],
      [t('company.tradeName'), company.trade_name],
      [t('company.cnpj'), cnpjText(company)],
      [t('company.contactEmail'), company.contact_email],
      [t('company.contactPhone'), company.contact_phone],
      [t('company.plan'), company.plan],
      [t('branding.color'), company.primary_color ? h('span', { class: 'row' }, h('span', { class: 'color-chip', dataset: { color: company.primary_color } }), h('code', {}, company.primary_color)) : null],
      [t('company.updated'), formatDateTime(company.updated_at)],
    ]),
    h('p', { class: 'muted' }, t('portal.memberReadOnly')),
    h('h3', {}, t('magic.switchTitle')),
    magicSwitch(company, { canChange: false }),
  ), domainsCard(company.id, { canManage: false }));
}

function editable(company, reload) {
  const form = createForm({
    columns: 2,
    fields: companyFields(company, { cnpjLocked: true }),
    async onSubmit(values) {
      const body = changed(values, company);
      if (!Object.keys(body).length) return notify(t('form.nothingChanged'));
      await api.patch(`/companies/${encodeURIComponent(company.id)}`, body);
      notify(t('form.saved'));
      reload();
    },
  });
  return h(
    'div',
    {},
    planCard(company.id),
    card(t('portal.companyData'), form.el),
    card(
      t('branding.title'),
      h('p', { class: 'muted' }, t('branding.portalNote')),
      brandingForm(company, (saved) => {
        applyBrandColor(saved.primary_color);
        location.reload();
      }),
    ),
    card(t('magic.switchTitle'), magicSwitch(company, { canChange: true, after: reload })),
    companyMfaPolicyCard(company.id),
    domainsCard(company.id, { canManage: true }),
  );
}

export function render(ctx) {
  return withCompany(ctx, 'portalNav.company', (company, reload) => {
    const body = h('div', {}, h('div', { class: 'brand-strip' }), card(null, identity(company)), ctx.isAdmin ? editable(company, reload) : readOnly(company));
    // The chip colour is set through the CSSOM (inline style attributes are blocked by the CSP).
    for (const chip of body.querySelectorAll('.color-chip')) chip.style.background = chip.dataset.color;
    return body;
  });
}
