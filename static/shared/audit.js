// The audit trail: who did what, on which company, with names (the API sends them beside the
// ids) and the rest of an event (ids, IP, details) in a drawer, so the table fits the page.
// Used by the owner (all events, or one company's) and by company admins (their company only).
import { api } from './api.js';
import { actionLabel, auditFilters } from './audit-filters.js';
import { h } from './dom.js';
import { formatDateTime } from './format.js';
import { t, tOr } from './i18n.js';
import { pagedTable } from './list.js';

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

const kindLabel = (kind) => tOr(`actor.${kind}`, kind || '—');

/** The actor's name, else what kind of actor it was (a company admin is not told who the platform's staff are). */
function actorText(e, ownerView) {
  if (e.actor_name) return e.actor_name;
  if (e.actor_kind === 'user' && !ownerView) return t('audit.outside');
  return kindLabel(e.actor_kind);
}

function actorCell(e, ownerView) {
  return h('div', {}, actorText(e, ownerView), e.actor_name ? h('div', { class: 'muted small' }, kindLabel(e.actor_kind)) : null);
}

// Secrets and domains are named by their id (the secret's kind, the host name).
const NAMED_BY_ID = new Set(['secret', 'domain']);

function targetText(e) {
  if (e.target_name) return e.target_name;
  if (!e.target_kind) return '—';
  const kind = tOr(`auditTarget.${e.target_kind}`, e.target_kind);
  return NAMED_BY_ID.has(e.target_kind) && e.target_id ? `${kind} · ${e.target_id}` : kind;
}

/** A side drawer with everything the event says, ids included. */
function openDrawer(e, ownerView) {
  const row = (label, ...value) => [h('dt', {}, label), h('dd', {}, ...value)];
  const idLine = (id) => (id ? h('div', { class: 'mono muted small' }, id) : null);
  const data = e.details && typeof e.details === 'object' && Object.keys(e.details).length ? e.details : null;
  const close = h('button', { type: 'button', class: 'btn small', 'aria-label': t('audit.close') }, '×');
  const drawer = h(
    'dialog',
    { class: 'drawer', 'aria-labelledby': 'audit-drawer-title' },
    h('div', { class: 'dialog-head' }, h('h2', { id: 'audit-drawer-title' }, actionLabel(e.action)), close),
    h(
      'dl',
      { class: 'event-facts' },
      row(t('audit.at'), formatDateTime(e.at)),
      row(t('audit.action'), h('code', {}, e.action)),
      row(t('audit.actor'), actorText(e, ownerView), h('div', { class: 'muted small' }, kindLabel(e.actor_kind)), idLine(e.actor_id)),
      row(t('audit.target'), targetText(e), idLine(e.target_id)),
      e.company_id ? row(t('audit.company'), e.company_name || '—', idLine(e.company_id)) : null,
      row(t('audit.ip'), e.ip || '—'),
      row(t('audit.details'), data ? h('pre', { class: 'mono' }, JSON.stringify(data, null, 2)) : t('audit.noDetails')),
    ),
  );
  close.addEventListener('click', () => drawer.close());
  drawer.addEventListener('click', (ev) => {
    if (ev.target === drawer) drawer.close();
  });
  drawer.addEventListener('close', () => drawer.remove());
  document.body.append(drawer);
  drawer.showModal();
  close.focus();
}

/**
 * auditPanel({companyId, companyHref, ownerView, initial}) → element. With companyId the list is
 * fixed to that company and the company picker is hidden; `ownerView` is the platform owner's.
 */
export function auditPanel({ companyId, companyHref, ownerView = false, initial = {} } = {}) {
  let filters = { from: '', to: '', action: '', actor_id: '', company_id: companyId || '', ...initial };
  const columns = [
    { label: t('audit.at'), className: 'nowrap', render: (e) => formatDateTime(e.at) },
    { label: t('audit.actor'), render: (e) => actorCell(e, ownerView) },
    { label: t('audit.action'), render: (e) => actionLabel(e.action) },
    { label: t('audit.target'), render: targetText },
  ];
  if (!companyId) {
    columns.push({
      label: t('audit.company'),
      render: (e) => (e.company_id ? (companyHref ? h('a', { href: companyHref(e.company_id) }, e.company_name || e.company_id) : e.company_name || e.company_id) : '—'),
    });
  }
  columns.push({
    label: t('audit.details'),
    className: 'actions',
    render: (e) => h('button', { type: 'button', class: 'btn small', onclick: () => openDrawer(e, ownerView), 'aria-label': `${t('audit.open')}: ${actionLabel(e.action)}, ${formatDateTime(e.at)}` }, t('audit.open')),
  });

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
  const bar = auditFilters({
    companyId,
    ownerView,
    initial: filters,
    onChange: (values) => {
      filters = { ...filters, ...values };
      list.reload();
    },
  });
  return h('div', { class: 'audit-panel' }, bar, list.el);
}
