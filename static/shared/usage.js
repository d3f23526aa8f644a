// API usage: requests per day as a chart, a table by application and route group, and the same
// report as CSV. Used by the owner (all, per company or per application) and by companies.
import { allItems, apiUrl } from './api.js';
import { h, mount } from './dom.js';
import { formatDay, formatNumber } from './format.js';
import { chart } from './chart.js';
import { lang, t } from './i18n.js';
import { table } from './list.js';
import { card, emptyState, errorState, loadingState } from './ui.js';

export const PERIODS = [7, 30, 90];

/** UTC calendar days: the last `days` days up to today, as 'YYYY-MM-DD'. */
export function lastDays(days, now = new Date()) {
  const out = [];
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let i = days - 1; i >= 0; i -= 1) out.push(new Date(end - i * 86400000).toISOString().slice(0, 10));
  return out;
}

/** Requests per day over `days` (missing days count as zero). */
export function perDay(items, days) {
  const sums = Object.fromEntries(days.map((d) => [d, 0]));
  for (const it of items || []) {
    const day = String(it.day).slice(0, 10);
    if (day in sums) sums[day] += Number(it.requests) || 0;
  }
  return days.map((d) => ({ label: d, value: sums[d] }));
}

export function fetchUsage({ days, companyId, applicationId }) {
  const range = lastDays(days);
  // The chart needs every row of the period: follow the pages.
  return allItems('/usage', { from: range[0], to: range[range.length - 1], company_id: companyId, application_id: applicationId })
    .then((items) => ({ range, items }));
}

export function usageChart(range, items, label) {
  return chart(range.length > 31 ? 'line' : 'bar', [{ name: t('usage.requests'), points: perDay(items, range) }], {
    label,
    formatLabel: (d) => formatDay(d, true),
  });
}

function byGroup(items, appName) {
  const rows = new Map();
  for (const it of items) {
    const key = `${it.application_id}|${it.route_group}`;
    const row = rows.get(key) || { application_id: it.application_id, application_name: it.application_name, route_group: it.route_group, requests: 0 };
    row.requests += Number(it.requests) || 0;
    rows.set(key, row);
  }
  const list = [...rows.values()].sort((a, b) => b.requests - a.requests);
  return table(
    [
      { label: t('usage.application'), render: (r) => appName(r.application_id, r.application_name) },
      { label: t('usage.routeGroup'), render: (r) => h('code', {}, r.route_group || '—') },
      { label: t('usage.requests'), className: 'num', render: (r) => formatNumber(r.requests) },
    ],
    list,
    { caption: t('usage.byGroup') },
  );
}

/** Requests per company, with its name, most first (the owner's view of everyone). */
function byCompany(items) {
  const rows = new Map();
  for (const it of items) {
    if (!it.company_id) continue;
    const row = rows.get(it.company_id) || { company_id: it.company_id, name: it.company_name || it.company_id, requests: 0 };
    row.requests += Number(it.requests) || 0;
    rows.set(it.company_id, row);
  }
  const list = [...rows.values()].sort((a, b) => b.requests - a.requests || a.name.localeCompare(b.name));
  return table(
    [
      { label: t('usage.company'), render: (r) => h('a', { href: `#/companies/${encodeURIComponent(r.company_id)}` }, r.name) },
      { label: t('usage.requests'), className: 'num', render: (r) => formatNumber(r.requests) },
    ],
    list,
    { caption: t('usage.byCompany') },
  );
}

/**
 * usagePanel({companyId, applications: [{id, name}], companyFilter: bool}) → element.
 * Filters live in the panel; the CSV link always matches what is on screen.
 */
export function usagePanel({ companyId, applications = [], companyFilter = false, initial = {} } = {}) {
  const state = { days: Number(initial.days) || 30, companyId: companyId || initial.company_id || '', applicationId: initial.application_id || '' };
  const appName = (id, fallback) => (applications.find((a) => a.id === id) || {}).name || fallback || id || '—';
  const result = h('div', { class: 'usage-result', 'aria-live': 'polite' });
  const csv = h('a', { class: 'btn', download: 'usage.csv' }, t('usage.csv'));

  const period = h('select', { id: 'usage-period' }, PERIODS.map((d) => h('option', { value: d, selected: d === state.days }, t('usage.lastDays', { count: d }))));
  const app = h('select', { id: 'usage-app' }, h('option', { value: '' }, t('filter.allApplications')), applications.map((a) => h('option', { value: a.id, selected: a.id === state.applicationId }, a.name || a.id)));
  const company = h('input', { id: 'usage-company', type: 'search', placeholder: 'cmp_…', value: state.companyId, autocomplete: 'off' });
  const filters = h(
    'div',
    { class: 'filters', role: 'search' },
    h('div', { class: 'filter' }, h('label', { for: 'usage-period' }, t('usage.period')), period),
    h('div', { class: 'filter' }, h('label', { for: 'usage-app' }, t('usage.application')), app),
    companyFilter && !companyId ? h('div', { class: 'filter' }, h('label', { for: 'usage-company' }, t('audit.companyId')), company) : null,
    h('div', { class: 'filter-end' }, csv),
  );

  let seq = 0;
  async function load() {
    const mine = ++seq;
    const range = lastDays(state.days);
    // A spreadsheet in Brazilian Portuguese opens `;`-separated UTF-8 with a byte order mark.
    const locale = lang() === 'pt-BR' ? 'pt-BR' : 'en';
    csv.href = apiUrl('/usage.csv', { from: range[0], to: range[range.length - 1], company_id: state.companyId, application_id: state.applicationId, locale });
    mount(result, loadingState());
    try {
      const data = await fetchUsage(state);
      if (mine !== seq) return;
      const total = data.items.reduce((acc, it) => acc + (Number(it.requests) || 0), 0);
      if (!data.items.length) {
        mount(result, emptyState(t('usage.empty')));
        return;
      }
      mount(
        result,
        card(t('usage.perDay'), h('p', { class: 'muted' }, t('usage.total', { total: formatNumber(total) })), usageChart(data.range, data.items, t('usage.chartLabel', { count: state.days }))),
        companyFilter && !state.companyId ? card(t('usage.byCompany'), byCompany(data.items)) : null,
        card(t('usage.byGroup'), byGroup(data.items, appName)),
      );
    } catch (err) {
      if (mine === seq) mount(result, errorState(err, load));
    }
  }
  period.addEventListener('change', () => {
    state.days = Number(period.value);
    load();
  });
  app.addEventListener('change', () => {
    state.applicationId = app.value;
    load();
  });
  company.addEventListener('change', () => {
    state.companyId = company.value.trim();
    load();
  });
  load();
  return h('div', { class: 'usage-panel' }, filters, result);
}
