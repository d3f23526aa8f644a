// Companies: search by name or CNPJ, filter by status, cursor pagination through thousands.
// Filters live in the URL, so the back button and a shared link keep them.
import { api } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { cnpjDigits, formatDate, formatNumber } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { COMPANY_STATUSES, cnpjText, companyName } from '../shared/company.js';
import { filterBar, pagedTable } from '../shared/list.js';
import { href } from '../shared/router.js';
import { badge, pageHeader } from '../shared/ui.js';

export const companyHref = (id) => `#/companies/${encodeURIComponent(id)}`;

/** A query that looks like a CNPJ (digits and punctuation only) is searched by its digits. */
function searchTerm(q) {
  return /^[\d./\-\s]+$/.test(q) && cnpjDigits(q).length >= 2 ? cnpjDigits(q) : q;
}

export function render({ query, setTitle }) {
  setTitle(t('nav.companies'));
  let filters = { q: query.q || '', status: query.status || '' };
  const list = pagedTable({
    caption: t('nav.companies'),
    empty: t('companies.empty'),
    emptyAction: h('a', { class: 'btn primary', href: '#/companies/new' }, t('companies.new')),
    columns: [
      {
        label: t('company.name'),
        // The logo comes by URL (cached by the browser), not inside the list.
        render: (c) => h('div', { class: 'name-cell' }, c.logo_url ? h('img', { class: 'list-logo', src: c.logo_url, alt: '', loading: 'lazy' }) : null, h('div', {}, h('a', { href: companyHref(c.id), class: 'strong' }, companyName(c)), c.legal_name !== companyName(c) ? h('div', { class: 'muted' }, c.legal_name) : null)),
      },
      { label: t('company.cnpj'), render: (c) => h('span', { class: 'mono' }, cnpjText(c)) },
      { label: t('company.status'), render: (c) => badge(c.status) },
      { label: t('company.plan'), render: (c) => c.plan || '—' },
      { label: t('company.users'), className: 'num', render: (c) => (c.user_count === undefined ? '—' : `${formatNumber(c.user_count)}${c.max_users ? ` / ${formatNumber(c.max_users)}` : ''}`) },
      { label: t('company.created'), render: (c) => formatDate(c.created_at) },
    ],
    load: (cursor) => api.get('/companies', { q: searchTerm(filters.q), status: filters.status, cursor, limit: 50 }),
  });
  const bar = filterBar(
    [
      { name: 'q', label: t('companies.search'), placeholder: t('companies.searchPlaceholder'), value: filters.q },
      { name: 'status', label: t('company.status'), value: filters.status, options: [{ value: '', label: t('filter.all') }, ...COMPANY_STATUSES.map((st) => ({ value: st, label: t(`status.${st}`) }))] },
    ],
    (values) => {
      filters = values;
      history.replaceState(null, '', href('/companies', filters));
      list.reload();
    },
  );
  return h(
    'div',
    {},
    pageHeader(t('nav.companies'), { actions: h('a', { class: 'btn primary', href: '#/companies/new' }, t('companies.new')) }),
    bar.el,
    list.el,
  );
}
