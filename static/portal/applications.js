// The applications linked to the company, with their scopes; a company admin can revoke a link.
import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { linksPanel } from '../shared/links.js';
import { pagedFrom } from '../shared/list.js';
import { withCompany } from './common.js';

export function render(ctx) {
  return withCompany(ctx, 'portalNav.applications', (company) => {
    const base = `/companies/${encodeURIComponent(company.id)}/links`;
    const panel = linksPanel({
      columns: 'application',
      canRevoke: ctx.isAdmin,
      load: pagedFrom(base),
      deletePath: (l) => `${base}/${encodeURIComponent(l.id)}`,
      empty: t('links.emptyPortal'),
    });
    return h('div', {}, h('p', { class: 'muted' }, t('links.portalIntro')), panel.el);
  });
}
