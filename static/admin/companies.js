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

const DEFAULT_SORT = '-created';
const SORTS = ['name', '-name', 'cnpj', '-cnpj', 'status', '-status', 'created', '-created'];

export const companyHref = (id) => `#/companies/${encodeURIComponent(id)}`;

/** A query that looks like a CNPJ (digits and punctuation only) is searched by its digits. */
function searchTerm(q) {
  return /^[\d./\-\s]+$/.test(q) && cnpjDigits(q).length >= 2 ? cnpjDigits(q) : q;
}

export function render({ query, setTitle }) {
  setTitle(t('nav.companies'));
  let filters = { q: query.q || '', status: query.status || '' };
  let sort = SORTS.includes(query.sort) ? query.sort : DEFAULT_SORT;
  let at = { page: Number(query.page) > 1 ? Number(query.page) : 1, cursor: query.cursor || '' };
  // Page, filters and sort live in the address: a reload stays where it was and the back
  // button steps through what changed.
  // A page that answers after the person moved on (another screen opened while it loaded)
  // must not pull the address back to the list.
  const remember = () => {
    if (location.hash.split('?')[0] !== '#/companies') return;
    const target = href('/companies', { ...filters, sort: sort === DEFAULT_SORT ? '' : sort, page: at.page > 1 ? at.page : '', cursor: at.page > 1 ? at.cursor : '' });
    if (location.hash !== target) history.pushState(null, '', target);
  };
  const list = pagedTable({
    start: at,
    sort: {
      get value() {
        return sort;
      },
      onChange: (value) => {
        sort = value;
        at = { page: 1, cursor: '' };
        list.reload();
      },
    },
    onPage: (page, cursor) => {
      at = { page, cursor: cursor || '' };
      remember();
    },
    totalText: (n) => t(n === 1 ? 'companies.totalOne' : 'companies.total', { count: formatNumber(n) }),
    caption: t('nav.companies'),
    empty: t('companies.empty'),
    emptyAction: h('a', { class: 'btn primary', href: '#/companies/new' }, t('companies.new')),
    columns: [
      {
        label: t('company.name'),
        sortKey: 'name',
        // The logo comes by URL (cached by the browser), not inside the list.
        render: (c) => h('div', { class: 'name-cell' }, c.logo_url ? h('img', { class: 'list-logo', src: c.logo_url, alt: '', loading: 'lazy' }) : null, h('div', {}, h('a', { href: companyHref(c.id), class: 'strong' }, companyName(c)), c.legal_name !== companyName(c) ? h('div', { class: 'muted' }, c.legal_name) : null)),
      },
      { label: t('company.cnpj'), sortKey: 'cnpj', className: 'nowrap', render: (c) => h('span', { class: 'mono' }, cnpjText(c)) },
      { label: t('company.status'), sortKey: 'status', render: (c) => badge(c.status) },
      { label: t('company.plan'), render: (c) => c.plan || '—' },
      { label: t('company.users'), className: 'num', render: (c) => (c.user_count === undefined ? '—' : `${formatNumber(c.user_count)}${c.max_users ? ` / ${formatNumber(c.max_users)}` : ''}`) },
      { label: t('company.created'), sortKey: 'created', className: 'nowrap', render: (c) => formatDate(c.created_at) },
    ],
    load: (cursor) => api.get('/companies', { q: searchTerm(filters.q), status: filters.status, sort, cursor, limit: 50 }),
  });
  const bar = filterBar(
    [
      { name: 'q', label: t('companies.search'), placeholder: t('companies.searchPlaceholder'), value: filters.q },
      { name: 'status', label: t('company.status'), value: filters.status, options: [{ value: '', label: t('filter.all') }, ...COMPANY_STATUSES.map((st) => ({ value: st, label: t(`status.${st}`) }))] },
    ],
    (values) => {
      filters = values;
      at = { page: 1, cursor: '' };
      history.replaceState(null, '', href('/companies', { ...filters, sort: sort === DEFAULT_SORT ? '' : sort }));
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
