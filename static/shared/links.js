// Links between applications and companies: which application may act for which company, with
// which scopes. A table with revoke buttons, used by the owner and by company admins.
import { api } from './api.js';
import { actionButton } from './dialog.js';
import { h } from './dom.js';
import { formatDateTime } from './format.js';
import { t } from './i18n.js';
import { pagedTable } from './list.js';

// The scopes the server knows, besides secrets:<kind>:read for each secret kind.
export const KNOWN_SCOPES = ['company:read', 'users:read', 'usage:read'];

export function scopeList(scopes) {
  if (!scopes || !scopes.length) return '—';
  return h('div', {}, scopes.map((sc) => h('span', { class: 'scope' }, sc)));
}

/**
 * linksPanel({load(cursor), deletePath(link), canRevoke, columns: 'company'|'application'|'both',
 * appName(link), companyName(link), appHref, companyHref}) → {el, reload}.
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
  columns.push({ label: t('links.scopes'), render: (l) => scopeList(l.scopes) }, { label: t('links.createdAt'), render: (l) => formatDateTime(l.created_at) });
  if (opts.canRevoke) {
    columns.push({
      label: t('list.actions'),
      className: 'actions',
      render: (l) => {
        const name = (opts.appName && opts.appName(l)) || l.application_name || l.application_id;
        return actionButton(t('action.revoke'), {
          confirm: { title: t('links.revokeTitle', { name }), message: t('links.revokeText'), confirmLabel: t('action.revoke') },
          run: () => api.del(opts.deletePath(l)),
          done: t('links.revoked', { name }),
          after: () => list.reload(),
        });
      },
    });
  }
  const list = pagedTable({ columns, caption: t('links.title'), empty: opts.empty || t('links.empty'), load: opts.load });
  return { el: list.el, reload: list.reload };
}
