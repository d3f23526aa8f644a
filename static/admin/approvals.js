// The approvals queue. A sign-up is one item: the pending company with its first admin, both
// made active by one "Aprovar". Users of pending companies are therefore not listed on their
// own (approving one alone would leave them unable to sign in); the users queue holds only
// pending users of companies that are already live.
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
    load: async (cursor) => {
      const page = await api.get('/companies', { status: 'pending', cursor, limit: 50 });
      return { ...page, items: await withFirstAdmins(page.items || []) };
    },
    columns: [
      // The company's CNPJ and contact sit under its name, so the row fits the page at 1280 px.
      {
        label: t('company.name'),
        render: (c) =>
          h(
            'div',
            {},
            h('a', { href: `#/companies/${encodeURIComponent(c.id)}` }, companyName(c)),
            h('div', { class: 'muted small mono' }, cnpjText(c)),
            c.contact_email ? h('div', { class: 'muted small' }, c.contact_email) : null,
          ),
      },
      { label: t('approvals.firstAdmin'), render: (c) => (c.first_admin ? h('div', {}, h('strong', {}, c.first_admin.name || '—'), h('div', { class: 'muted small' }, c.first_admin.email), verifiedBadge(c.first_admin)) : '—') },
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
              confirm: { title: t('approvals.rejectTitle', { name }), message: t('approvals.rejectText'), confirmLabel: t('approvals.rejectConfirm') },
              run: () => api.post(`${path}/cancel`),
              done: t('approvals.rejectDone', { name }),
              after: afterChange,
            }),
          ];
        },
      },
    ],
  });
  return list;
}

/** Whether the person who signed up opened the link sent to the address they gave. */
function verifiedBadge(user) {
  return user.email_verified
    ? h('span', { class: 'badge st-active' }, t('approvals.emailVerified'))
    : h('span', { class: 'badge st-pending', title: t('approvals.emailUnverifiedHint') }, t('approvals.emailUnverified'));
}

/** Each pending company with `first_admin`: the pending admin its sign-up created. */
async function withFirstAdmins(companies) {
  const admins = await Promise.all(
    companies.map((c) =>
      api.get(`/companies/${encodeURIComponent(c.id)}/users`, { status: 'pending', limit: 1 }).then(
        (d) => ((d && d.items) || [])[0],
        () => undefined,
      ),
    ),
  );
  return companies.map((c, i) => ({ ...c, first_admin: admins[i] }));
}

/** The ids of the companies still pending (sign-ups are few; one page is plenty). */
async function pendingCompanyIds() {
  const d = await api.get('/companies', { status: 'pending', limit: 200 });
  return new Set(((d && d.items) || []).map((c) => c.id));
}

function usersQueue() {
  const list = pagedTable({
    caption: t('approvals.users'),
    empty: t('approvals.noUsers'),
    load: async (cursor) => {
      const [page, pending] = await Promise.all([api.get('/users', { status: 'pending', cursor, limit: 50 }), pendingCompanyIds()]);
      const items = (page.items || []).filter((u) => !pending.has(u.company_id));
      return { ...page, items: await withCompanyNames(items) };
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
