// Overview: companies by status, users, applications, approvals waiting, API requests over the
// last 7 or 30 days, and the age and result of the last backup. Each card loads on its own, so
// one missing endpoint shows an error in its card and leaves the others working.
import { api } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { formatNumber, formatRelative } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { COMPANY_STATUSES } from '../shared/company.js';
import { fetchUsage, usageChart } from '../shared/usage.js';
import { badge, card, emptyState, loadInto, pageHeader } from '../shared/ui.js';

/** {count, more}: how many items a list has, counting up to one page of 200. */
async function countOf(path, query) {
  const data = await api.get(path, { ...query, limit: 200 });
  return { count: ((data && data.items) || []).length, more: Boolean(data && data.next_cursor) };
}

const shown = (c) => (c === undefined || c === null ? '—' : typeof c === 'object' ? `${formatNumber(c.count)}${c.more ? '+' : ''}` : formatNumber(c));

/** Reads GET /overview when the server has it, otherwise counts through the list endpoints. */
async function loadCounts() {
  try {
    const o = await api.get('/overview');
    const companies = o.companies_by_status || (o.companies && (o.companies.by_status || o.companies)) || {};
    const num = (v) => (typeof v === 'number' ? v : v && typeof v.total === 'number' ? v.total : undefined);
    return {
      companies,
      users: num(o.users),
      applications: num(o.applications),
      pendingCompanies: o.pending_companies ?? companies.pending,
      pendingUsers: o.pending_users ?? (o.users && o.users.pending),
    };
  } catch (err) {
    if (err.status !== 404) throw err;
  }
  const statuses = await Promise.all(COMPANY_STATUSES.map((st) => countOf('/companies', { status: st })));
  const [users, applications, pendingUsers] = await Promise.all([countOf('/users'), countOf('/applications'), countOf('/users', { status: 'pending' })]);
  return {
    companies: Object.fromEntries(COMPANY_STATUSES.map((st, i) => [st, statuses[i]])),
    users,
    applications,
    pendingCompanies: statuses[0],
    pendingUsers,
  };
}

function stat(label, value, link) {
  return h('div', { class: 'stat' }, h('span', { class: 'label' }, label), h('span', { class: 'value' }, value), link || null);
}

function countsCards(c) {
  const waiting = (typeof c.pendingCompanies === 'object' ? c.pendingCompanies.count : c.pendingCompanies || 0) + (typeof c.pendingUsers === 'object' ? c.pendingUsers.count : c.pendingUsers || 0);
  return h(
    'div',
    { class: 'grid' },
    card(
      t('overview.companies'),
      h('ul', { class: 'stat-list' }, COMPANY_STATUSES.map((st) => h('li', {}, h('a', { href: `#/companies?status=${st}` }, t(`status.${st}`)), h('strong', {}, shown(c.companies[st]))))),
    ),
    card(null, stat(t('overview.users'), shown(c.users))),
    card(null, stat(t('overview.applications'), shown(c.applications), h('a', { href: '#/applications' }, t('overview.seeApplications')))),
    card(
      null,
      stat(t('overview.approvals'), formatNumber(waiting), h('a', { href: '#/approvals' }, t('overview.approvalsDetail', { companies: shown(c.pendingCompanies), users: shown(c.pendingUsers) }))),
    ),
  );
}

function backupCard() {
  const body = h('div');
  loadInto(
    body,
    () => api.get('/backups', { limit: 1 }),
    (data) => {
      const last = data && data.items && data.items[0];
      if (!last) return emptyState(t('overview.noBackup'), h('a', { href: '#/backups' }, t('overview.toBackups')));
      return stat(t('overview.lastBackup'), formatRelative(last.finished_at || last.started_at), h('div', { class: 'row' }, badge(last.status), h('a', { href: '#/backups' }, t('overview.toBackups'))));
    },
  );
  return card(t('overview.backup'), body);
}

function usageCard() {
  let days = 7;
  const body = h('div');
  let reload = null;
  const buttons = [7, 30].map((d) => {
    const b = h('button', { type: 'button', class: 'btn small', 'aria-pressed': d === days ? 'true' : 'false' }, t('usage.lastDays', { count: d }));
    b.addEventListener('click', () => {
      days = d;
      buttons.forEach((x, i) => x.setAttribute('aria-pressed', [7, 30][i] === d ? 'true' : 'false'));
      reload();
    });
    return b;
  });
  reload = loadInto(
    body,
    () => fetchUsage({ days }),
    (data) => {
      const total = data.items.reduce((acc, it) => acc + (Number(it.requests) || 0), 0);
      return h('div', {}, h('p', { class: 'muted' }, t('usage.total', { total: formatNumber(total) })), usageChart(data.range, data.items, t('usage.chartLabel', { count: data.range.length })));
    },
  );
  return h('section', { class: 'card' }, h('div', { class: 'spread' }, h('h2', {}, t('overview.requests')), h('div', { class: 'row', role: 'group', 'aria-label': t('usage.period') }, buttons)), body);
}

export function render({ setTitle }) {
  setTitle(t('nav.overview'));
  const counts = h('div');
  loadInto(counts, loadCounts, countsCards);
  return h('div', {}, pageHeader(t('nav.overview')), counts, usageCard(), h('div', { class: 'grid' }, backupCard()));
}
