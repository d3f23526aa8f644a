// Form helpers: labelled fields that validate as the user types, a submit that shows the API's
// error next to the field it names, and values that are never cleared on an error.
import { h, nextId } from './dom.js';
import { t } from './i18n.js';
import { cnpjChars, cnpjProblem, formatCnpj } from './format.js';
import { fieldMessage } from './messages.js';
import { errorMessage } from './ui.js';

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const COLOR = /^#[0-9a-fA-F]{6}$/;

/** Field-level checks beyond required/min/max; each returns a message or null. */
export const checks = {
  email: (v, final) => (v && (final || v.includes('@')) && !EMAIL.test(v) ? t('validation.email') : null),
  color: (v, final) => (v && (final || v.length >= 7) && !COLOR.test(v) ? t('validation.color') : null),
  cnpj: (v, final) => {
    const chars = cnpjChars(v);
    if (!chars) return null;
    const problem = cnpjProblem(v);
    if (problem === 'shape') return t('validation.cnpjShape');
    if (problem === 'check') return t('validation.cnpjCheck');
    if (problem === 'length' && final) return t('validation.cnpjLength', { count: chars.length });
    return null;
  },
};

function control(spec, id, describedBy) {
  const common = {
    id,
    name: spec.name,
    required: spec.required,
    disabled: spec.disabled,
    readonly: spec.readonly,
    autocomplete: spec.autocomplete || (spec.type === 'password' ? 'new-password' : undefined),
    placeholder: spec.placeholder,
    'aria-describedby': describedBy,
  };
  if (spec.type === 'select') {
    return h('select', common, (spec.options || []).map((o) => h('option', { value: o.value, selected: String(o.value) === String(spec.value ?? '') }, o.label)));
  }
  if (spec.type === 'textarea') return h('textarea', { ...common, rows: spec.rows || 3, maxlength: spec.maxLength, value: spec.value ?? '' });
  const type = spec.type === 'cnpj' ? 'text' : spec.type === 'color' ? 'text' : spec.type || 'text';
  return h('input', {
    ...common,
    type,
    value: spec.type === 'cnpj' ? formatCnpj(spec.value || '') : spec.value ?? '',
    maxlength: spec.type === 'cnpj' ? 18 : spec.maxLength,
    minlength: spec.minLength,
    min: spec.min,
    max: spec.max,
    // Text, not numeric: an alphanumeric CNPJ carries letters.
    inputmode: spec.inputmode,
    autocapitalize: spec.type === 'cnpj' ? 'characters' : undefined,
    spellcheck: ['email', 'password', 'cnpj'].includes(spec.type) ? 'false' : undefined,
  });
}

/**
 * field({name, label, type, value, required, minLength, maxLength, hint, validate, apiField})
 * type: text|email|password|tel|url|date|number|select|textarea|cnpj|color.
 * validate(value, final) → message|null; `final` is true after the first blur or on submit.
 */
export function field(spec) {
  const id = nextId(`f-${spec.name}`);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const input = control(spec, id, `${hintId} ${errorId}`);
  const hint = h('p', { id: hintId, class: 'field-hint', hidden: !spec.hint }, spec.hint || '');
  const error = h('p', { id: errorId, class: 'field-error', 'aria-live': 'polite' });
  const ok = h('p', { class: 'field-ok', hidden: true });
  const parts = [h('label', { for: id }, spec.label, spec.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null)];
  let swatch = null;
  if (spec.type === 'color') {
    swatch = h('input', { type: 'color', class: 'swatch', value: COLOR.test(spec.value || '') ? spec.value : '#1f6f5c', 'aria-label': spec.label, tabindex: '-1' });
    swatch.addEventListener('input', () => {
      input.value = swatch.value;
      api.validate(true);
    });
    parts.push(h('div', { class: 'color-row' }, swatch, input));
  } else {
    parts.push(input);
  }
  const wrap = h('div', { class: ['field', spec.wide && 'wide'] }, parts, hint, error, ok);
  let touched = false;

  const api = {
    spec,
    name: spec.name,
    el: wrap,
    input,
    get value() {
      if (spec.type === 'cnpj') return cnpjChars(input.value);
      if (spec.type === 'number') return input.value === '' ? null : Number(input.value);
      return spec.trim === false ? input.value : input.value.trim();
    },
    set value(v) {
      input.value = spec.type === 'cnpj' ? formatCnpj(v || '') : v ?? '';
      if (swatch && COLOR.test(input.value)) swatch.value = input.value;
    },
    setError(message) {
      error.textContent = message || '';
      wrap.classList.toggle('invalid', Boolean(message));
      input.setAttribute('aria-invalid', message ? 'true' : 'false');
      if (message) ok.hidden = true;
    },
    /** Runs the checks; shows the first problem. Returns true when valid. */
    validate(final = touched) {
      const raw = input.value;
      const v = api.value;
      const len = String(raw).length;
      let message = null;
      if (spec.required && final && (v === null || String(v).trim() === '')) message = t('validation.required');
      else if (spec.maxLength && len > spec.maxLength) message = t('validation.maxLength', { max: spec.maxLength });
      else if (spec.minLength && raw && final && len < spec.minLength) message = t('validation.minLength', { min: spec.minLength });
      else if (checks[spec.type]) message = checks[spec.type](raw, final);
      if (!message && spec.validate) message = spec.validate(v, final);
      api.setError(message);
      const positive = !message && raw && spec.valid ? spec.valid(v) : null;
      ok.textContent = positive || '';
      ok.hidden = !positive;
      return !message;
    },
    focus() {
      input.focus();
    },
    matches(apiField) {
      if (!apiField) return false;
      const names = [].concat(spec.apiField || [], spec.name);
      return names.some((n) => apiField === n || apiField.endsWith(`.${n}`) || apiField.endsWith(`/${n}`));
    },
  };

  input.addEventListener('input', () => {
    if (spec.type === 'cnpj') {
      const atEnd = input.selectionStart === input.value.length;
      const masked = formatCnpj(input.value);
      if (masked !== input.value && atEnd) input.value = masked;
    }
    if (swatch && COLOR.test(input.value)) swatch.value = input.value;
    api.validate();
  });
  input.addEventListener('blur', () => {
    if (spec.type === 'cnpj' && input.value) input.value = formatCnpj(input.value);
    if (input.value !== '' || touched) {
      touched = true;
      api.validate(true);
    }
  });
  input.addEventListener('change', () => {
    if (input.tagName === 'SELECT') api.validate(true);
  });
  return api;
}

/**
 * createForm({fields: [field specs or field() results], submitLabel, onSubmit(values, form),
 * extra: nodes before the buttons, actions: extra buttons}).
 * onSubmit may throw an ApiError; its message lands next to the field it names, or above the
 * buttons. The typed values always stay.
 */
export function createForm({ fields, submitLabel, onSubmit, extra, actions, className, columns = 1 }) {
  // A DOM node among the fields (a sub-heading, a note) is placed as-is, in order.
  const items = fields.map((f) => (f instanceof Node || (f && f.el) ? f : field(f)));
  const list = items.filter((f) => !(f instanceof Node));
  const byName = Object.fromEntries(list.map((f) => [f.name, f]));
  const errorBox = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, submitLabel || t('action.save'));
  const el = h(
    'form',
    { class: ['form', columns === 2 && 'two-col', className], novalidate: true },
    items.map((f) => (f instanceof Node ? f : f.el)),
    extra,
    errorBox,
    h('div', { class: 'form-actions' }, submit, actions),
  );

  const form = {
    el,
    fields: byName,
    submit,
    values() {
      return Object.fromEntries(list.map((f) => [f.name, f.value]));
    },
    showError(err) {
      const target = err && err.field ? list.find((f) => f.matches(err.field)) : null;
      if (target) {
        target.setError(fieldMessage(err));
        target.focus();
        errorBox.hidden = true;
      } else {
        errorBox.textContent = errorMessage(err);
        errorBox.hidden = false;
      }
    },
    clearError() {
      errorBox.hidden = true;
      errorBox.textContent = '';
    },
    setBusy(busy) {
      submit.disabled = busy;
      el.setAttribute('aria-busy', busy ? 'true' : 'false');
    },
  };

  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    form.clearError();
    const invalid = list.filter((f) => !f.validate(true));
    if (invalid.length) {
      invalid[0].focus();
      return;
    }
    form.setBusy(true);
    try {
      await onSubmit(form.values(), form);
    } catch (err) {
      form.showError(err);
    } finally {
      form.setBusy(false);
    }
  });
  return form;
}

/**
 * Only the values that differ from `original`, for PATCH: an absent field stays as it is and an
 * empty string clears an optional field.
 */
export function changed(values, original) {
  const out = {};
  for (const [k, v] of Object.entries(values)) {
    const before = original[k] ?? '';
    const after = v ?? '';
    if (String(before) !== String(after)) out[k] = v ?? '';
  }
  return out;
}
