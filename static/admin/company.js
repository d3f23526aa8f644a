// One company, for the owner: status actions, registration data and plan, branding, users,
// secrets (kinds and hints only), linked applications, usage and audit trail.
import { allItems, api } from '../shared/api.js';
import { auditPanel } from '../shared/audit.js';
import { brandingForm } from '../shared/branding.js';
import { cnpjText, companyFields, companyName } from '../shared/company.js';
import { actionButton } from '../shared/dialog.js';
import { eraseCompanyButton } from '../shared/erasure.js';
import { h, mount } from '../shared/dom.js';
import { createForm, changed } from '../shared/form.js';
import { formatDateTime } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { linksPanel } from '../shared/links.js';
import { domainsCard } from '../shared/domains.js';
import { magicSwitch } from '../shared/magic.js';
import { planCard } from '../shared/plan-card.js';
import { companyMfaPolicyCard } from '../shared/mfa-policy.js';
import { configPanels } from '../shared/config-form.js';
import { pagedFrom, table } from '../shared/list.js';
import { usagePanel } from '../shared/usage.js';
import { usersPanel } from '../shared/users.js';
import { withApplicationNames } from './names.js';
import { badge, card, details, emptyState, errorState, loadInto, loadingState, notFoundPage, notify, pageHeader, tabs } from '../shared/ui.js';

const TABS = ['data', 'branding', 'users', 'secrets', 'applications', 'config', 'usage', 'audit'];

const ACTIONS = {
  pending: [{ action: 'approve', primary: true }, { action: 'cancel', confirm: true }],
  active: [{ action: 'suspend', confirm: true }],
  suspended: [{ action: 'reactivate', primary: true }, { action: 'cancel', confirm: true }],
  cancelled: [{ action: 'reactivate' }],
};

function statusButtons(company, reload) {
  const name = companyName(company);
  return (ACTIONS[company.status] || []).map(({ action, primary, confirm }) =>
    actionButton(t(`companyAction.${action}`), {
      primary,
      small: false,
      confirm: confirm && { title: t(`companyAction.${action}Title`, { name }), message: t(`companyAction.${action}Text`), confirmLabel: t(`companyAction.${action}`) },
      run: () => api.post(`/companies/${encodeURIComponent(company.id)}/${action}`),
      done: t(`companyAction.${action}Done`, { name }),
      after: reload,
    }),
  );
}

function dataTab(company, reload) {
  const form = createForm({
    columns: 2,
    fields: companyFields(company, { owner: true }),
    async onSubmit(values) {
      const body = changed(values, company);
      if (!Object.keys(body).length) {
        notify(t('form.nothingChanged'));
        return;
      }
      await api.patch(`/companies/${encodeURIComponent(company.id)}`, body);
      notify(t('form.saved'));
      reload();
    },
  });
  return h(
    'div',
    {},
    card(
      null,
      details([
        [t('company.id'), h('code', {}, company.id)],
        [t('company.slug'), company.slug],
        [t('company.users'), company.max_users ? `${company.user_count ?? '—'} / ${company.max_users}` : company.user_count],
        [t('company.created'), formatDateTime(company.created_at)],
        [t('company.updated'), formatDateTime(company.updated_at)],
      ]),
    ),
    planCard(company.id, { owner: true, after: reload }),
    card(t('company.editTitle'), form.el),
    card(t('magic.switchTitle'), magicSwitch(company, { canChange: true, after: reload })),
    companyMfaPolicyCard(company.id),
    domainsCard(company.id, { canManage: true }),
  );
}

function secretsTab(company) {
  const body = h('div');
  loadInto(
    body,
    () => allItems(`/companies/${encodeURIComponent(company.id)}/secrets`).then((items) => ({ items })),
    (data) => {
      const items = (data && data.items) || [];
      if (!items.length) return emptyState(t('secrets.noneSet'));
      return table(
        [
          { label: t('secrets.kind'), render: (s) => h('strong', {}, t(`secretKind.${s.kind}`) === `secretKind.${s.kind}` ? s.kind : t(`secretKind.${s.kind}`)) },
          { label: t('secrets.hint'), render: (s) => h('code', {}, s.hint || '—') },
          { label: t('secrets.keyId'), render: (s) => (s.key_id ? h('code', {}, s.key_id) : '—') },
          { label: t('secrets.changed'), render: (s) => formatDateTime(s.updated_at) },
        ],
        items,
        { caption: t('secrets.title') },
      );
    },
  );
  return card(t('secrets.title'), h('p', { class: 'muted' }, t('secrets.ownerNote')), body);
}

function applicationsTab(company) {
  const panel = linksPanel({
    canEditExternalId: true,
    columns: 'application',
    canRevoke: true,
    appHref: (l) => `#/applications/${encodeURIComponent(l.application_id)}`,
    load: pagedFrom(`/companies/${encodeURIComponent(company.id)}/links`, {}, { enrich: withApplicationNames }),
    deletePath: (l) => `/links/${encodeURIComponent(l.id)}`,
    empty: t('links.emptyCompany'),
  });
  return h('div', {}, h('p', {}, h('a', { class: 'btn', href: `#/links?company_id=${encodeURIComponent(company.id)}` }, t('links.new'))), panel.el);
}

async function applicationsForUsage() {
  try {
    return (await allItems('/applications')).map((a) => ({ id: a.id, name: a.name }));
  } catch {
    return [];
  }
}

function tabBody(tab, company, session, reload) {
  if (tab === 'branding') return card(t('branding.title'), brandingForm(company, reload));
  if (tab === 'users') return usersPanel({ companyId: company.id, canManage: true, selfId: session.user.id });
  if (tab === 'secrets') return secretsTab(company);
  if (tab === 'applications') return applicationsTab(company);
  if (tab === 'config') return card(t('config.tab'), h('p', { class: 'muted' }, t('config.introAdmin')), configPanels(company.id));
  if (tab === 'audit') return auditPanel({ companyId: company.id, ownerView: true });
  if (tab === 'usage') {
    const box = h('div', {}, loadingState());
    applicationsForUsage().then((apps) => mount(box, usagePanel({ companyId: company.id, applications: apps })));
    return box;
  }
  return dataTab(company, reload);
}

export function render({ params, query, session, setTitle }) {
  const id = params.id;
  const tab = TABS.includes(query.tab) ? query.tab : 'data';
  const root = h('div', {}, loadingState());
  async function load() {
    try {
      const company = await api.get(`/companies/${encodeURIComponent(id)}`);
      // An erased company shows when and under which pseudonym, and offers no more actions.
      const preview = await api.get(`/companies/${encodeURIComponent(id)}/erasure`).catch(() => null);
      const erased = preview && preview.erasure;
      setTitle(companyName(company));
      const base = `#/companies/${encodeURIComponent(id)}`;
      mount(
        root,
        pageHeader(companyName(company), {
          back: { href: '#/companies', label: t('nav.companies') },
          subtitle: h(
            'span',
            { class: 'row' },
            erased ? h('span', { class: 'badge st-cancelled', dataset: { erased: '' } }, t('erasure.erased')) : badge(company.status),
            h('span', { class: 'mono' }, cnpjText(company)),
            company.legal_name !== companyName(company) ? company.legal_name : null,
          ),
          actions: erased ? [] : [...statusButtons(company, load), eraseCompanyButton(company, companyName(company), load)],
        }),
        erased ? h('p', { class: 'warning', role: 'note', dataset: { erasedNote: '' } }, t('erasure.erasedOn', { date: formatDateTime(erased.erased_at), pseudonym: erased.pseudonym })) : null,
        tabs(TABS.map((tb) => ({ id: tb, label: t(`companyTab.${tb}`), href: tb === 'data' ? base : `${base}?tab=${tb}` })), tab),
        tabBody(tab, company, session, load),
      );
    } catch (err) {
      setTitle(t('notFound.title'));
      mount(root, err.status === 404 ? notFoundPage('#/companies') : errorState(err, load));
    }
  }
  load();
  return root;
}
