// Overview: companies by status, users, applications, approvals waiting, API requests over the
// last 7 or 30 days, the age and result of the last backup, the mail outbox and where
// applications stand in provisioning their companies. Each card loads on its own, so
// one missing endpoint shows an error in its card and leaves the others working.
import { api } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { formatNumber, formatRelative } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { COMPANY_STATUSES } from '../shared/company.js';
import { fetchUsage, usageChart } from '../shared/usage.js';
import { gettingStarted } from './start.js';
import { badge, card, emptyState, loadInto, pageHeader } from '../shared/ui.js';

/** {count, more}: how many items a list has, counting up to one page of 200. */
async function countOf(path, query) {
  const data = await api.get(path, { ...query, limit: 200 });
  return { count: ((data && data.items) || []).length, more: Boolean(data && data.next_cursor) };
}

const shown = (c) => (c === undefined || c === null ? '—' : typeof c === 'object' ? `${formatNumber(c.count)}${c.more ? '+' : ''}` : formatNumber(c));

/**
 * GET /overview ({companies: {pending, active, suspended, cancelled}, users, pending_users,
 * applications, requests_7d, requests_30d}); null from a server without it (404), whose cards
 * then count through the list endpoints.
 */
async function loadOverview() {
  try {
    return await api.get('/overview');
  } catch (err) {
    if (err.status === 404) return null;
    throw err;
  }
}


/** Each card loads on its own: from /overview when it has the number, else from a list. */
function countCards() {
  const ov = loadOverview();
  const fromOverview = async (pick, fallback) => {
    const o = await ov.catch(() => null);
    const v = o ? pick(o) : undefined;
    return v !== undefined && v !== null ? v : fallback();
  };
  const statCard = (title, load, render) => {
    const body = h('div');
    loadInto(body, load, render);
    return card(title, body);
  };
  const companies = statCard(
    t('overview.companies'),
    () => fromOverview((o) => o.companies, async () => {
      const counts = await Promise.all(COMPANY_STATUSES.map((st) => countOf('/companies', { status: st })));
      return Object.fromEntries(COMPANY_STATUSES.map((st, i) => [st, counts[i]]));
    }),
    (byStatus) => h('ul', { class: 'stat-list' }, COMPANY_STATUSES.map((st) => h('li', {}, h('a', { href: `#/companies?status=${st}` }, t(`status.${st}`)), h('strong', {}, shown(byStatus[st]))))),
  );
  const users = statCard(t('overview.users'), () => fromOverview((o) => o.users, () => countOf('/users')), (c) => stat(null, shown(c)));
  const apps = statCard(t('overview.applications'), () => fromOverview((o) => o.applications, () => countOf('/applications', {})), (c) => stat(null, shown(c), h('a', { href: '#/applications' }, t('overview.seeApplications'))));
  const approvals = statCard(
    t('overview.approvals'),
    async () => ({
      companies: await fromOverview((o) => o.companies && o.companies.pending, () => countOf('/companies', { status: 'pending' })),
      users: await fromOverview((o) => o.pending_users, () => countOf('/users', { status: 'pending' })),
    }),
    (p) => {
      const n = (c) => (typeof c === 'object' ? c.count : c || 0);
      return stat(null, formatNumber(n(p.companies) + n(p.users)), h('a', { href: '#/approvals' }, t('overview.approvalsDetail', { companies: shown(p.companies), users: shown(p.users) })));
    },
  );
  return h('div', { class: 'grid' }, companies, users, apps, approvals);
}

function stat(label, value, link) {
  return h('div', { class: 'stat' }, label ? h('span', { class: 'label' }, label) : null, h('span', { class: 'value' }, value), link || null);
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

/** The e-mail outbox: whether an SMTP server is set, what waits and what was dead-lettered. */
function mailCard() {
  const body = h('div');
  loadInto(
    body,
    () => loadOverview(),
    (o) => {
      const m = o && o.mail;
      if (!m) return h('p', { class: 'muted' }, '—');
      return h(
        'div',
        {},
        m.configured ? null : h('p', { class: 'notice', role: 'status' }, t('overview.mailNotConfigured')),
        stat(t('overview.mailQueued'), formatNumber(m.queued)),
        m.dead > 0 ? h('p', { class: 'form-error', role: 'alert' }, t('overview.mailDead', { count: formatNumber(m.dead) })) : null,
      );
    },
  );
  return card(t('overview.mail'), body);
}

/** Provisioning: links by the state their application reported, and the latest failures. */
function provisioningCard() {
  const body = h('div');
  loadInto(
    body,
    () => loadOverview(),
    (o) => {
      const p = o && o.provisioning;
      if (!p) return h('p', { class: 'muted' }, '—');
      const states = ['ready', 'provisioning', 'requested', 'failed', 'unreported'];
      return h(
        'div',
        {},
        h('p', { class: 'muted' }, t('prov.overview')),
        h('ul', { class: 'count-list' }, states.map((s) => h('li', {}, h('span', {}, t(`prov.${s}`)), h('strong', {}, formatNumber(p[s]))))),
        h('h3', {}, t('prov.failures')),
        p.failures.length
          ? h(
              'ul',
              { class: 'plain-list' },
              p.failures.map((f) =>
                h('li', {}, h('a', { href: `#/companies/${encodeURIComponent(f.company_id)}` }, f.company_name), ' · ', h('a', { href: `#/applications/${encodeURIComponent(f.application_id)}` }, f.application_name), h('div', { class: 'muted small' }, f.message, ' · ', formatRelative(f.reported_at))),
              ),
            )
          : h('p', { class: 'muted' }, t('prov.noFailures')),
      );
    },
  );
  return card(t('prov.title'), body);
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
  return h('div', {}, pageHeader(t('nav.overview')), gettingStarted(), countCards(), usageCard(), h('div', { class: 'grid' }, backupCard(), mailCard(), provisioningCard()));
}
