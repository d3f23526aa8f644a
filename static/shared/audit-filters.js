// The audit log's filters: the period, an action picker grouped by kind, and pickers that find
// an actor (a user or an application) or a company by name, so nobody has to know an id.
import { allItems, api } from './api.js';
import { AUDIT_ACTIONS } from './audit-actions.js';
import { companyLabel } from './company.js';
import { h } from './dom.js';
import { cnpjDigits } from './format.js';
import { t } from './i18n.js';
import { debounce } from './list.js';

/** The action's name in the reader's language, or the action itself when it has none. */
export function actionLabel(action) {
  const key = `auditAction.${action}`;
  const text = t(key);
  return text === key ? action : text;
}

function actionPicker(value, onChange) {
  const known = new Set(Object.values(AUDIT_ACTIONS).flat());
  const select = h(
    'select',
    { id: 'flt-action', name: 'action' },
    h('option', { value: '' }, t('audit.anyAction')),
    value && !known.has(value) ? h('option', { value, selected: true }, value) : null,
    Object.entries(AUDIT_ACTIONS).map(([kind, actions]) =>
      h('optgroup', { label: t(`auditKind.${kind}`) }, actions.map((a) => h('option', { value: a, selected: a === value }, actionLabel(a)))),
    ),
  );
  select.addEventListener('change', () => onChange(select.value));
  return h('div', { class: 'filter' }, h('label', { for: 'flt-action' }, t('audit.action')), select);
}

/**
 * A search box over a datalist: `search(term)` → [{id, label}]. The filter changes when a listed
 * name is chosen, when an id is typed whole (matching `idPattern`), or when the box is emptied.
 */
function namePicker({ name, label, placeholder, search, idPattern, initial, initialLabel, onChange }) {
  const id = `flt-${name}`;
  const listId = `${id}-list`;
  const options = new Map();
  const input = h('input', { id, name, type: 'search', list: listId, autocomplete: 'off', placeholder, value: initial || '' });
  const datalist = h('datalist', { id: listId });
  let chosen = initial || '';
  const find = debounce(async () => {
    const q = input.value.trim();
    if (q.length < 2 || options.has(q)) return;
    try {
      const found = await search(q);
      datalist.replaceChildren();
      for (const o of found) {
        options.set(o.label, o.id);
        datalist.append(h('option', { value: o.label }));
      }
    } catch {
      // Searching is a convenience; a whole id still filters.
    }
  }, 250);
  input.addEventListener('input', () => {
    const text = input.value.trim();
    const next = text ? options.get(text) || (idPattern.test(text) ? text : null) : '';
    if (next === null) {
      find();
      return;
    }
    if (next !== chosen) {
      chosen = next;
      onChange(chosen);
    }
  });
  if (initial && initialLabel) {
    initialLabel(initial).then(
      (text) => {
        if (!text || input.value !== initial) return;
        options.set(text, initial);
        input.value = text;
      },
      () => {},
    );
  }
  return h('div', { class: 'filter' }, h('label', { for: id }, label), input, datalist);
}

const userOption = (u) => ({ id: u.id, label: `${u.name || u.email} · ${u.email}` });

/** Actors the owner may pick: any user, any application. */
async function searchAllActors(q) {
  const [users, apps] = await Promise.all([api.get('/users', { q, limit: 10 }), allItems('/applications').catch(() => [])]);
  const term = q.toLocaleLowerCase();
  const appItems = apps.filter((a) => (a.name || '').toLocaleLowerCase().includes(term)).slice(0, 5);
  return [...((users && users.items) || []).map(userOption), ...appItems.map((a) => ({ id: a.id, label: t('audit.appSuffix', { name: a.name }) }))];
}

/**
 * auditFilters({companyId, ownerView, initial, onChange}) → element. Without companyId a company
 * picker is shown; `ownerView` searches actors across the platform, otherwise among the company's
 * users.
 */
export function auditFilters({ companyId, ownerView, initial, onChange }) {
  const values = { ...initial };
  const set = (key) => (v) => {
    values[key] = v;
    onChange({ ...values });
  };
  const date = (key, label) => {
    const input = h('input', { id: `flt-${key}`, name: key, type: 'date', value: values[key] || '' });
    input.addEventListener('change', () => set(key)(input.value));
    return h('div', { class: 'filter' }, h('label', { for: `flt-${key}` }, label), input);
  };
  const actor = namePicker({
    name: 'actor_id',
    label: t('audit.actorPicker'),
    placeholder: t('audit.actorPlaceholder'),
    idPattern: /^(usr|app)_[\w-]+$/,
    initial: values.actor_id,
    search: ownerView
      ? searchAllActors
      : async (q) => ((await api.get(`/companies/${encodeURIComponent(companyId)}/users`, { q, limit: 10 })).items || []).map(userOption),
    onChange: set('actor_id'),
  });
  const company = companyId
    ? null
    : namePicker({
        name: 'company_id',
        label: t('audit.companyPicker'),
        placeholder: t('audit.companyPlaceholder'),
        idPattern: /^cmp_[\w-]+$/,
        initial: values.company_id,
        initialLabel: async (id) => companyLabel(await api.get(`/companies/${encodeURIComponent(id)}`)),
        search: async (q) => {
          const term = /^[\d./\-\s]+$/.test(q) ? cnpjDigits(q) : q;
          const data = await api.get('/companies', { q: term, limit: 10 });
          return ((data && data.items) || []).map((c) => ({ id: c.id, label: companyLabel(c) }));
        },
        onChange: set('company_id'),
      });
  return h('div', { class: 'filters', role: 'search' }, date('from', t('filter.from')), date('to', t('filter.to')), actionPicker(values.action, set('action')), actor, company);
}
