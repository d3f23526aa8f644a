// Form fields for the links screen: a company picker that searches as you type (by name or
// CNPJ), and a group of scope checkboxes. Both follow the field interface of shared/form.js.
import { api } from '../shared/api.js';
import { companyLabel } from '../shared/company.js';
import { h, nextId } from '../shared/dom.js';
import { cnpjDigits } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { debounce } from '../shared/list.js';

function fieldFrame(id, label, control, hintText) {
  const error = h('p', { id: `${id}-error`, class: 'field-error', 'aria-live': 'polite' });
  const hint = hintText ? h('p', { id: `${id}-hint`, class: 'field-hint' }, hintText) : null;
  const el = h('div', { class: 'field' }, h('label', { for: id }, label, h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')), control, hint, error);
  const setError = (message) => {
    error.textContent = message || '';
    el.classList.toggle('invalid', Boolean(message));
  };
  return { el, setError };
}

/** companyPicker({initialId}) → field whose value is the chosen company's id. */
export function companyPicker({ initialId } = {}) {
  const id = nextId('f-company');
  const listId = `${id}-list`;
  const options = new Map();
  const input = h('input', { id, type: 'search', list: listId, autocomplete: 'off', placeholder: t('links.companyPlaceholder'), 'aria-describedby': `${id}-hint ${id}-error` });
  const datalist = h('datalist', { id: listId });
  const frame = fieldFrame(id, t('links.company'), h('div', {}, input, datalist), t('links.companyHint'));
  let chosen = '';

  const resolve = () => {
    const text = input.value.trim();
    chosen = options.get(text) || (/^cmp_[\w-]+$/.test(text) ? text : '');
    return chosen;
  };
  const search = debounce(async () => {
    const q = input.value.trim();
    if (q.length < 2 || options.has(q)) return;
    try {
      const term = /^[\d./\-\s]+$/.test(q) ? cnpjDigits(q) : q;
      const data = await api.get('/companies', { q: term, limit: 10 });
      datalist.replaceChildren();
      for (const c of (data && data.items) || []) {
        const label = companyLabel(c);
        options.set(label, c.id);
        datalist.append(h('option', { value: label }));
      }
    } catch {
      // Searching is a convenience; typing the id still works.
    }
  }, 250);
  input.addEventListener('input', () => {
    frame.setError('');
    if (!resolve()) search();
  });
  if (initialId) {
    input.value = initialId;
    chosen = initialId;
    api
      .get(`/companies/${encodeURIComponent(initialId)}`)
      .then((c) => {
        const label = companyLabel(c);
        options.set(label, c.id);
        if (input.value === initialId) input.value = label;
      })
      .catch(() => {});
  }
  return {
    name: 'company_id',
    el: frame.el,
    get value() {
      return resolve();
    },
    setError: frame.setError,
    validate(final = true) {
      const ok = Boolean(resolve());
      frame.setError(!ok && final ? t('links.companyRequired') : '');
      return ok || !final;
    },
    focus: () => input.focus(),
    matches: (name) => name === 'company_id' || name === 'company',
  };
}

/** scopesField(scopes) → a checkbox group whose value is the list of checked scopes. */
export function scopesField(scopes, checked = ['company:read']) {
  const id = nextId('f-scopes');
  const boxes = scopes.map((sc) => h('input', { type: 'checkbox', value: sc, checked: checked.includes(sc) }));
  const error = h('p', { id: `${id}-error`, class: 'field-error', 'aria-live': 'polite' });
  const el = h(
    'fieldset',
    { id, 'aria-describedby': `${id}-error` },
    h('legend', {}, t('links.scopes')),
    h('div', { class: 'checks' }, boxes.map((b) => h('label', {}, b, h('code', {}, b.value)))),
    error,
  );
  const setError = (message) => {
    error.textContent = message || '';
  };
  return {
    name: 'scopes',
    el,
    get value() {
      return boxes.filter((b) => b.checked).map((b) => b.value);
    },
    setError,
    validate() {
      const ok = boxes.some((b) => b.checked);
      setError(ok ? '' : t('links.scopesRequired'));
      return ok;
    },
    focus: () => boxes[0] && boxes[0].focus(),
    matches: (name) => name === 'scopes' || name.startsWith('scopes'),
  };
}
