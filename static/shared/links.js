// Links between applications and companies: which application may act for which company, with
// which scopes, and where the application stands in provisioning the company. A table with
// "ask again" and revoke buttons, used by the owner and by company admins.
import { api } from './api.js';
import { actionButton } from './dialog.js';
import { h } from './dom.js';
import { formatDateTime } from './format.js';
import { t } from './i18n.js';
import { pagedTable } from './list.js';
import { notify } from './ui.js';

// The scopes the server knows, besides secrets:<kind>:read for each secret kind.
export const KNOWN_SCOPES = [
  'company:read',
  'users:read',
  'usage:read',
  'config:read',
  'config:write',
  'billing:write',
];

const PROVISIONING_LOOK = { requested: 'pending', provisioning: 'pending', ready: 'active', failed: 'cancelled' };

/** Where the application stands in setting the company up, with its message when it failed. */
export function provisioningState(l) {
  const p = l.provisioning;
  if (!p) return h('span', { class: 'muted' }, t('prov.unreported'));
  const when = p.reported_at || p.requested_at || p.updated_at;
  return h(
    'div',
    { class: 'provisioning' },
    h('span', { class: ['badge', `st-${PROVISIONING_LOOK[p.state] || 'pending'}`], title: when ? formatDateTime(when) : undefined }, t(`prov.${p.state}`)),
    p.message ? h('div', { class: 'muted small' }, p.message) : null,
  );
}

function askAgainButton(l, name, after) {
  return actionButton(t('prov.askAgain'), {
    confirm: { title: t('prov.askTitle', { application: name }), message: t('prov.askText'), confirmLabel: t('prov.askAgain'), danger: false },
    run: () => api.post(`/companies/${encodeURIComponent(l.company_id)}/links/${encodeURIComponent(l.id)}/provision`),
    done: t('prov.asked', { application: name }),
    after,
  });
}

export function scopeList(scopes) {
  if (!scopes || !scopes.length) return '—';
  return h('div', {}, scopes.map((sc) => h('span', { class: 'scope' }, sc)));
}

// The application's own id for the company; the owner edits it in place (PATCH /links/{id}).
function externalIdCell(link, canEdit) {
  const shown = h('code', { 'data-external-id': '' }, link.external_id || '—');
  if (!canEdit) return shown;
  const cell = h('div', { class: 'row' });
  const edit = h('button', { type: 'button', class: 'btn small', 'aria-label': t('links.editExternalId') }, t('links.editShort'));
  function view() {
    shown.textContent = link.external_id || '—';
    cell.replaceChildren(shown, edit);
  }
  edit.addEventListener('click', () => {
    const input = h('input', { type: 'text', class: 'input', maxlength: 200, value: link.external_id || '', 'aria-label': t('links.externalId'), title: t('links.externalIdHint') });
    const error = h('span', { class: 'field-error', 'aria-live': 'polite' });
    const save = h('button', { type: 'submit', class: 'btn small primary' }, t('action.save'));
    const form = h('form', { class: 'row' }, input, save, error);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const out = await api.patch(`/links/${encodeURIComponent(link.id)}`, { external_id: input.value.trim() });
        link.external_id = out.external_id;
        notify(t('links.externalIdSaved'));
        view();
      } catch (err) {
        error.textContent = err.message || String(err);
      }
    });
    cell.replaceChildren(form);
    input.focus();
  });
  view();
  return cell;
}

/**
 * linksPanel({load(cursor), deletePath(link), canRevoke, columns: 'company'|'application'|'both',
 * appName(link), companyName(link), appHref, companyHref, canEditExternalId}) → {el, reload}.
 */
export function linksPanel(opts) {
  const show = opts.columns || 'both';
  const columns = [];
  if (show !== 'company') {
    columns.push({
      label: t('links.application'),
      render: (l) => {
        const name = (opts.appName && opts.appName(l)) || l.application_name || l.application_id;
        return opts.appHref ? h('a', { href: opts.appHref(l) }, name) : name;
      },
    });
  }
  if (show !== 'application') {
    columns.push({
      label: t('links.company'),
      render: (l) => {
        const name = (opts.companyName && opts.companyName(l)) || l.company_name || l.company_id;
        return opts.companyHref ? h('a', { href: opts.companyHref(l) }, name) : name;
      },
    });
  }
  columns.push(
    { label: t('links.scopes'), render: (l) => scopeList(l.scopes) },
    { label: t('prov.column'), render: provisioningState },
    { label: t('links.externalId'), render: (l) => externalIdCell(l, opts.canEditExternalId) },
    { label: t('links.createdAt'), render: (l) => formatDateTime(l.created_at) },
  );
  if (opts.canRevoke) {
    columns.push({
      label: t('list.actions'),
      className: 'actions',
      render: (l) => {
        const name = (opts.appName && opts.appName(l)) || l.application_name || l.application_id;
        const revoke = actionButton(t('action.revoke'), {
          confirm: { title: t('links.revokeTitle', { name }), message: t('links.revokeText'), confirmLabel: t('action.revoke') },
          run: () => api.del(opts.deletePath(l)),
          done: t('links.revoked', { name }),
          after: () => list.reload(),
        });
        const asked = l.provisioning && l.provisioning.state === 'requested';
        return h('div', { class: 'row-actions' }, asked ? null : askAgainButton(l, name, () => list.reload()), revoke);
      },
    });
  }
  const list = pagedTable({ columns, caption: t('links.title'), empty: opts.empty || t('links.empty'), load: opts.load });
  return { el: list.el, reload: list.reload };
}
