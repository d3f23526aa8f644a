// The approvals queue: companies that signed up and users waiting for approval.
import { api } from '../shared/api.js';
import { cnpjText, companyName } from '../shared/company.js';
import { actionButton } from '../shared/dialog.js';
import { h } from '../shared/dom.js';
import { formatDateTime } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { pagedTable } from '../shared/list.js';
import { card, pageHeader } from '../shared/ui.js';
import { withCompanyNames } from './names.js';

function companiesQueue(afterChange) {
  const list = pagedTable({
    caption: t('approvals.companies'),
    empty: t('approvals.noCompanies'),
    load: (cursor) => api.get('/companies', { status: 'pending', cursor, limit: 50 }),
    columns: [
      { label: t('company.name'), render: (c) => h('a', { href: `#/companies/${encodeURIComponent(c.id)}` }, companyName(c)) },
      { label: t('company.cnpj'), render: (c) => h('span', { class: 'mono' }, cnpjText(c)) },
      { label: t('company.contactEmail'), render: (c) => c.contact_email || '—' },
      { label: t('approvals.since'), render: (c) => formatDateTime(c.created_at) },
      // What the sign-up clashes with; sign-up itself never says, so only the owner sees it.
      { label: t('approvals.conflicts'), render: (c) => ((c.conflicts || []).length ? (c.conflicts || []).map((k) => h('span', { class: 'badge st-suspended' }, t(`conflict.${k}`))) : '—') },
      {
        label: t('list.actions'),
        className: 'actions',
        render: (c) => {
          const name = companyName(c);
          const path = `/companies/${encodeURIComponent(c.id)}`;
          return [
            actionButton(t('action.approve'), { primary: true, run: () => api.post(`${path}/approve`), done: t('companyAction.approveDone', { name }), after: afterChange }),
            ' ',
            actionButton(t('approvals.reject'), {
              confirm: { title: t('companyAction.cancelTitle', { name }), message: t('companyAction.cancelText'), confirmLabel: t('approvals.reject') },
              run: () => api.post(`${path}/cancel`),
              done: t('companyAction.cancelDone', { name }),
              after: afterChange,
            }),
          ];
        },
      },
    ],
  });
  return list;
}

function usersQueue() {
  const list = pagedTable({
    caption: t('approvals.users'),
    empty: t('approvals.noUsers'),
    load: async (cursor) => {
      const page = await api.get('/users', { status: 'pending', cursor, limit: 50 });
      return { ...page, items: await withCompanyNames(page.items || []) };
    },
    columns: [
      { label: t('user.name'), render: (u) => h('div', {}, h('strong', {}, u.name || '—'), h('div', { class: 'muted' }, u.email)) },
      { label: t('user.role'), render: (u) => t(`role.${u.role}`) },
      { label: t('approvals.company'), render: (u) => (u.company_id ? h('a', { href: `#/companies/${encodeURIComponent(u.company_id)}?tab=users` }, u.company_name || u.company_id) : '—') },
      { label: t('approvals.since'), render: (u) => formatDateTime(u.created_at) },
      {
        label: t('list.actions'),
        className: 'actions',
        render: (u) =>
          actionButton(t('action.approve'), {
            primary: true,
            run: () => api.post(`/companies/${encodeURIComponent(u.company_id)}/users/${encodeURIComponent(u.id)}/approve`),
            done: t('users.approved', { name: u.name || u.email }),
            after: () => list.reload(),
          }),
      },
    ],
  });
  return list;
}

export function render({ setTitle }) {
  setTitle(t('nav.approvals'));
  // Approving a company also activates its pending first admin, so both queues reload.
  const companies = companiesQueue(() => {
    companies.reload();
    users.reload();
  });
  const users = usersQueue();
  return h(
    'div',
    {},
    pageHeader(t('nav.approvals'), { subtitle: t('approvals.subtitle') }),
    card(t('approvals.companies'), companies.el),
    card(t('approvals.users'), h('p', { class: 'muted' }, t('approvals.usersNote')), users.el),
  );
}
