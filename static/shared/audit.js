// The audit trail with filters by period, action, actor and company. Used by the owner (all
// events, or one company's) and by company admins (their company only).
import { api } from './api.js';
import { h } from './dom.js';
import { formatDateTime } from './format.js';
import { t, tOr } from './i18n.js';
import { filterBar, pagedTable } from './list.js';

/** 'YYYY-MM-DD' (a local calendar day) → RFC 3339 instant at the start of that day. */
export function dayStart(day) {
  return day ? new Date(`${day}T00:00:00`).toISOString() : '';
}

/** The start of the day after `day`, so a `to` filter includes the whole day. */
export function dayEnd(day) {
  if (!day) return '';
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + 1);
  return d.toISOString();
}

function actor(e) {
  const kind = tOr(`actor.${e.actor_kind}`, e.actor_kind || '—');
  return h('div', {}, kind, e.actor_id ? h('div', { class: 'muted mono' }, e.actor_id) : null);
}

function detailsCell(e) {
  const data = e.details && typeof e.details === 'object' ? e.details : null;
  if (!data || !Object.keys(data).length) return '—';
  return h('details', {}, h('summary', {}, t('audit.details')), h('pre', { class: 'mono' }, JSON.stringify(data, null, 2)));
}

/**
 * auditPanel({companyId, companyHref}) → element. With companyId the list is fixed to that
 * company and the company filter is hidden.
 */
export function auditPanel({ companyId, companyHref, initial = {} } = {}) {
  let filters = { from: '', to: '', action: '', actor_id: '', company_id: companyId || '', ...initial };
  const columns = [
    { label: t('audit.at'), render: (e) => formatDateTime(e.at) },
    { label: t('audit.actor'), render: actor },
    { label: t('audit.action'), render: (e) => h('code', {}, e.action) },
    { label: t('audit.target'), render: (e) => (e.target_kind || e.target_id ? h('span', { class: 'mono' }, [e.target_kind, e.target_id].filter(Boolean).join(' ')) : '—') },
  ];
  if (!companyId) {
    columns.push({
      label: t('audit.company'),
      render: (e) => (e.company_id ? (companyHref ? h('a', { href: companyHref(e.company_id), class: 'mono' }, e.company_id) : h('span', { class: 'mono' }, e.company_id)) : '—'),
    });
  }
  columns.push({ label: t('audit.ip'), render: (e) => e.ip || '—' }, { label: t('audit.details'), render: detailsCell });

  const list = pagedTable({
    columns,
    caption: t('audit.title'),
    empty: t('audit.empty'),
    load: (cursor) =>
      api.get('/audit-events', {
        from: dayStart(filters.from),
        to: dayEnd(filters.to),
        action: filters.action,
        actor_id: filters.actor_id,
        company_id: companyId || filters.company_id,
        cursor,
        limit: 50,
      }),
  });
  const controls = [
    { name: 'from', label: t('filter.from'), type: 'date', value: filters.from },
    { name: 'to', label: t('filter.to'), type: 'date', value: filters.to },
    { name: 'action', label: t('audit.action'), placeholder: t('audit.actionPlaceholder'), value: filters.action },
    { name: 'actor_id', label: t('audit.actorId'), placeholder: 'usr_…', value: filters.actor_id },
  ];
  if (!companyId) controls.push({ name: 'company_id', label: t('audit.companyId'), placeholder: 'cmp_…', value: filters.company_id });
  const bar = filterBar(controls, (values) => {
    filters = { ...filters, ...values };
    list.reload();
  });
  return h('div', { class: 'audit-panel' }, bar.el, list.el);
}
