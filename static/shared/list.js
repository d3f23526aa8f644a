// Tables fed by the API's cursor pagination ({items, next_cursor}), with loading, empty and
// error states, and previous/next buttons that keep a stack of cursors.
import { api } from './api.js';
import { h, mount } from './dom.js';
import { t } from './i18n.js';
import { emptyState, errorState, loadingState } from './ui.js';

/**
 * A column header; a column with `sortKey` (and a `sort` {value, onChange}) is a button that
 * sorts by it, ascending first, and says the current order through aria-sort.
 */
function headerCell(c, sort) {
  if (!c.sortKey || !sort) return h('th', { scope: 'col', class: c.className }, c.label);
  const current = sort.value === c.sortKey ? 'ascending' : sort.value === `-${c.sortKey}` ? 'descending' : 'none';
  const button = h('button', { type: 'button', class: 'sort-button' }, c.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, current === 'ascending' ? '▲' : current === 'descending' ? '▼' : ''));
  button.addEventListener('click', () => sort.onChange(current === 'ascending' ? `-${c.sortKey}` : c.sortKey));
  return h('th', { scope: 'col', class: c.className, 'aria-sort': current }, button);
}

/**
 * On a phone the table's header is hidden (rows become cards), so its sort buttons are out of
 * reach: a "Sort by" select offers the same orders there (CSS shows it only at phone width).
 */
function sortSelect(columns, sort) {
  const sortable = sort ? columns.filter((c) => c.sortKey) : [];
  if (!sortable.length) return null;
  const id = `sort-${Math.random().toString(36).slice(2, 8)}`;
  const options = sortable.flatMap((c) => [
    h('option', { value: c.sortKey }, t('list.sortAscending', { column: c.label })),
    h('option', { value: `-${c.sortKey}` }, t('list.sortDescending', { column: c.label })),
  ]);
  const select = h('select', { id }, options);
  select.value = sort.value;
  select.addEventListener('change', () => sort.onChange(select.value));
  return { el: h('div', { class: 'filter sort-select' }, h('label', { for: id }, t('list.sortBy')), select), select };
}

/** A table of `items`; each cell carries its column label so phones can show rows as cards. */
export function table(columns, items, { caption, sort } = {}) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table' },
      caption ? h('caption', { class: 'sr-only' }, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => headerCell(c, sort)))),
      h(
        'tbody',
        {},
        items.map((item) =>
          h(
            'tr',
            {},
            columns.map((c) => h('td', { class: c.className, 'data-label': c.label }, c.render(item))),
          ),
        ),
      ),
    ),
  );
}

/**
 * pagedTable({columns, load(cursor) → {items, next_cursor}, empty, emptyAction, caption})
 * → {el, reload()}. reload() goes back to the first page (for new filters).
 */
export function pagedTable({ columns, load, empty, emptyAction, caption, sort, start, onPage, totalText }) {
  const body = h('div', { class: 'list-body', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', class: 'btn' }, t('list.previous'));
  const next = h('button', { type: 'button', class: 'btn' }, t('list.next'));
  const pageLabel = h('span', { class: 'muted' });
  const pager = h('div', { class: 'pager', hidden: true }, prev, pageLabel, next);
  const total = h('p', { class: 'muted list-total', role: 'status' });
  const sorter = sortSelect(columns, sort);
  const el = h('div', { class: 'list' }, totalText ? total : null, sorter ? sorter.el : null, body, pager);
  let cursors = [undefined];
  let page = 0;
  // A page restored from the address starts there; the pages before it are found again by
  // going back to the first one.
  if (start && start.cursor && start.page > 1) {
    page = start.page - 1;
    cursors[page] = start.cursor;
  }
  let seq = 0;

  async function show() {
    const mine = ++seq;
    mount(body, loadingState());
    body.setAttribute('aria-busy', 'true');
    prev.disabled = true;
    next.disabled = true;
    try {
      const data = await load(cursors[page]);
      if (mine !== seq) return;
      const items = (data && data.items) || [];
      cursors[page + 1] = data && data.next_cursor ? data.next_cursor : undefined;
      if (!items.length && page === 0) mount(body, emptyState(empty, emptyAction));
      else mount(body, table(columns, items, { caption, sort }));
      if (totalText && typeof data.total === 'number') total.textContent = totalText(data.total);
      if (sorter) sorter.select.value = sort.value;
      if (onPage) onPage(page + 1, cursors[page]);
      prev.disabled = page === 0;
      next.disabled = !cursors[page + 1];
      pageLabel.textContent = t('list.page', { page: page + 1 });
      pager.hidden = page === 0 && !cursors[page + 1];
    } catch (err) {
      if (mine !== seq) return;
      mount(body, errorState(err, show));
      pager.hidden = true;
    } finally {
      if (mine === seq) body.setAttribute('aria-busy', 'false');
    }
  }

  prev.addEventListener('click', () => {
    if (page > 0) {
      page -= 1;
      if (page > 0 && !cursors[page]) page = 0;
      show();
    }
  });
  next.addEventListener('click', () => {
    if (cursors[page + 1]) {
      page += 1;
      show();
    }
  });

  function reload() {
    cursors = [undefined];
    page = 0;
    return show();
  }
  show();
  return { el, reload, refresh: show };
}

/**
 * A `load(cursor)` for pagedTable over a paged API list (`path` with `query`), `size` rows a
 * page; `enrich(items)` may add display data to the rows of the page being shown.
 */
export function pagedFrom(path, query, { size = 50, enrich } = {}) {
  return async (cursor) => {
    const data = await api.get(path, { ...query, cursor, limit: size });
    const items = (data && data.items) || [];
    return { ...data, items: enrich ? await enrich(items) : items };
  };
}

/** Calls fn at most once per `ms` of quiet typing. */
export function debounce(fn, ms = 300) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** A filter bar of labelled controls; `onChange(values)` fires on change (debounced for text). */
export function filterBar(controls, onChange) {
  const inputs = {};
  const fire = () => onChange(Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value.trim()])));
  const typed = debounce(fire, 300);
  const items = controls.map((c) => {
    const id = `flt-${c.name}`;
    let input;
    if (c.options) {
      input = h('select', { id, name: c.name }, c.options.map((o) => h('option', { value: o.value, selected: String(o.value) === String(c.value ?? '') }, o.label)));
      input.addEventListener('change', fire);
    } else {
      input = h('input', { id, name: c.name, type: c.type || 'search', value: c.value || '', placeholder: c.placeholder, autocomplete: 'off' });
      input.addEventListener(c.type === 'date' ? 'change' : 'input', c.type === 'date' ? fire : typed);
    }
    inputs[c.name] = input;
    return h('div', { class: 'filter' }, h('label', { for: id }, c.label), input);
  });
  return { el: h('div', { class: 'filters', role: 'search' }, items), inputs };
}
