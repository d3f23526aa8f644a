// Plans: the list (name, limits, companies on each) and a form to create or edit one, with an
// editor for its named limits. `max_users` is always there: armario enforces it; every other
// limit is for the applications to enforce.
import { api } from '../shared/api.js';
import { actionButton } from '../shared/dialog.js';
import { h, mount } from '../shared/dom.js';
import { createForm } from '../shared/form.js';
import { formatNumber } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { table } from '../shared/list.js';
import { navigate } from '../shared/router.js';
import { card, emptyState, errorState, loadingState, notify, pageHeader } from '../shared/ui.js';

const LIMIT_NAME = /^[a-z][a-z0-9_]{0,63}$/;

function limitText(limits) {
  return h('div', {}, Object.entries(limits || {}).map(([k, v]) => h('span', { class: 'scope' }, `${k}: ${formatNumber(v)}`)));
}

// Rows of (name, value) inputs; the first is max_users and cannot be renamed or removed.
function limitsEditor(limits) {
  const rows = h('div', { class: 'limits-editor' });
  const error = h('p', { class: 'field-error', 'aria-live': 'polite' });
  function addRow(name = '', value = '') {
    const fixed = name === 'max_users';
    const nameInput = h('input', { type: 'text', class: 'input', value: name, readonly: fixed, 'aria-label': t('plans.limitName'), placeholder: 'max_animals', 'data-limit-name': '' });
    const valueInput = h('input', { type: 'number', class: 'input', min: fixed ? 1 : 0, value: String(value), 'aria-label': t('plans.limitValue'), 'data-limit-value': '' });
    const remove = fixed ? null : h('button', { type: 'button', class: 'btn small', onclick: () => row.remove() }, t('plans.removeLimit'));
    const row = h('div', { class: 'row limit-row' }, nameInput, valueInput, remove);
    rows.append(row);
    return nameInput;
  }
  const entries = Object.entries(limits || {});
  if (!('max_users' in (limits || {}))) entries.unshift(['max_users', 25]);
  entries.sort(([a], [b]) => (a === 'max_users' ? -1 : b === 'max_users' ? 1 : a.localeCompare(b)));
  for (const [k, v] of entries) addRow(k, v);
  const add = h('button', { type: 'button', class: 'btn', onclick: () => addRow().focus() }, t('plans.addLimit'));
  return {
    el: h('fieldset', { class: 'field wide' }, h('legend', {}, t('plans.limits')), h('p', { class: 'field-hint' }, t('plans.limitsHint')), rows, add, error),
    // The limits typed, or null after showing what is wrong.
    read() {
      const out = {};
      for (const row of rows.children) {
        const name = row.querySelector('[data-limit-name]').value.trim();
        const raw = row.querySelector('[data-limit-value]').value;
        if (!name && raw === '') continue;
        const value = Number(raw);
        if (!LIMIT_NAME.test(name)) return this.fail(t('plans.badLimitName'));
        if (raw === '' || !Number.isInteger(value) || value < 0) return this.fail(t('plans.badLimitValue', { name }));
        out[name] = value;
      }
      error.textContent = '';
      return out;
    },
    fail(message) {
      error.textContent = message;
      return null;
    },
    showError(message) {
      error.textContent = message;
    },
  };
}

function planForm(plan, done) {
  const limits = limitsEditor(plan && plan.limits);
  const form = createForm({
    fields: [
      { name: 'name', label: t('plans.name'), required: true, maxLength: 80, value: plan && plan.name },
      { name: 'description', label: t('plans.description'), type: 'textarea', maxLength: 1000, value: plan && plan.description, wide: true },
    ],
    extra: limits.el,
    submitLabel: plan ? t('action.save') : t('plans.create'),
    async onSubmit(values, f) {
      const read = limits.read();
      if (!read) return;
      const body = { name: values.name, description: values.description || '', limits: read };
      try {
        const saved = plan ? await api.put(`/plans/${encodeURIComponent(plan.id)}`, body) : await api.post('/plans', body);
        notify(t('plans.saved', { name: saved.name }));
        done(saved);
      } catch (err) {
        if (err.field && err.field.startsWith('limits')) limits.showError(err.message);
        else f.showError(err);
      }
    },
  });
  return form;
}

function listView(root) {
  const body = h('div', {}, loadingState());
  const newBtn = h('a', { class: 'btn primary', href: '#/plans/new' }, t('plans.new'));
  mount(root, pageHeader(t('nav.plans'), { subtitle: t('plans.subtitle'), actions: newBtn }), body);
  api.get('/plans').then(
    (r) => mount(body, r.items.length ? table([
      { label: t('plans.name'), render: (p) => h('div', {}, h('a', { href: `#/plans/${encodeURIComponent(p.id)}` }, p.name), p.description ? h('div', { class: 'muted' }, p.description) : null) },
      { label: t('plans.limits'), render: (p) => limitText(p.limits) },
      { label: t('plans.companies'), className: 'num', render: (p) => formatNumber(p.companies) },
    ], r.items, { caption: t('nav.plans') }) : emptyState(t('plans.empty'))),
    (err) => mount(body, errorState(err)),
  );
}

function editView(root, id, setTitle) {
  mount(root, loadingState());
  const back = { href: '#/plans', label: t('nav.plans') };
  if (id === 'new') {
    setTitle(t('plans.new'));
    const form = planForm(null, () => navigate('/plans'));
    mount(root, pageHeader(t('plans.new'), { back }), card(null, form.el));
    form.fields.name.focus();
    return;
  }
  api.get(`/plans/${encodeURIComponent(id)}`).then(
    (plan) => {
      setTitle(plan.name);
      const del = actionButton(t('plans.delete'), {
        danger: true,
        small: false,
        confirm: { title: t('plans.deleteTitle', { name: plan.name }), message: t('plans.deleteText'), confirmLabel: t('plans.delete') },
        run: () => api.del(`/plans/${encodeURIComponent(plan.id)}`),
        done: t('plans.deleted', { name: plan.name }),
        after: () => navigate('/plans'),
      });
      const form = planForm(plan, () => navigate('/plans'));
      mount(root, pageHeader(plan.name, { back, subtitle: t('plans.inUse', { count: plan.companies }), actions: del }), card(null, form.el));
    },
    (err) => mount(root, errorState(err)),
  );
}

export function render({ params, setTitle }) {
  const root = h('div');
  if (params && params.id) editView(root, params.id, setTitle);
  else {
    setTitle(t('nav.plans'));
    listView(root);
  }
  return root;
}
