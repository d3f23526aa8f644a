// Per-company configuration: one form per linked application, generated from the schema the
// application declared (text, number, checkbox, select for an enum, a weekly hours editor,
// rows to add and remove for lists). The server checks every value; its 400 lands next to the
// field its path names, and values a changed schema no longer accepts show their problem at
// their field. Used by the portal (company admin) and the dashboard (owner).
import { api } from './api.js';
import { h, mount, nextId } from './dom.js';
import { lang, t } from './i18n.js';
import { fieldMessage } from './messages.js';
import { card, emptyState, errorMessage, loadInto, notify } from './ui.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A title or description: a text, or {"pt-BR", "en"}. */
function text(v) {
  if (!v) return '';
  if (typeof v === 'string') return v;
  return v[lang()] || v.en || v['pt-BR'] || '';
}

const isHours = (p) => p.type === 'object' && (p['x-armario-type'] === 'weekly_hours' || p.format === 'weekly_hours');

/** An editor for one value: { el, get() → value or undefined }. */
function editor(prop, value, id, label) {
  if (prop.type === 'boolean') {
    const input = h('input', { type: 'checkbox', id, checked: value === true, 'aria-label': label });
    return { el: input, get: () => input.checked };
  }
  if (prop.type === 'string' && Array.isArray(prop.enum)) {
    const options = [h('option', { value: '' }, t('config.choose')), ...prop.enum.map((o) => h('option', { value: o, selected: o === value }, o))];
    const input = h('select', { id, 'aria-label': label }, options);
    return { el: input, get: () => (input.value === '' ? undefined : input.value) };
  }
  if (prop.type === 'number' || prop.type === 'integer') {
    const input = h('input', { type: 'number', id, 'aria-label': label, value: value ?? '', min: prop.minimum, max: prop.maximum, step: prop.type === 'integer' ? 1 : 'any', placeholder: prop.default ?? '' });
    return { el: input, get: () => (input.value === '' ? undefined : Number(input.value)) };
  }
  if (isHours(prop)) return hoursEditor(value || {}, id);
  if (prop.type === 'array') return listEditor(prop, Array.isArray(value) ? value : [], id, label);
  const input = h('input', { type: 'text', id, 'aria-label': label, value: value ?? '', maxlength: prop.maxLength, placeholder: prop.default ?? '' });
  return { el: input, get: () => (input.value === '' ? undefined : input.value) };
}

function listEditor(prop, items, id, label) {
  const rows = [];
  const list = h('div', { class: 'config-list', id });
  const add = h('button', { type: 'button', class: 'btn small', 'data-config-add': id }, t('config.addItem'));
  function addRow(v) {
    const ed = editor(prop.items || {}, v, nextId(`${id}-item`), label);
    const row = { ed };
    row.el = h('div', { class: 'row config-row' }, ed.el, h('button', { type: 'button', class: 'btn small', onclick: () => {
      rows.splice(rows.indexOf(row), 1);
      row.el.remove();
    } }, t('config.removeItem')));
    rows.push(row);
    list.append(row.el);
  }
  items.forEach(addRow);
  add.addEventListener('click', () => addRow(undefined));
  return {
    el: h('div', {}, list, add),
    get: () => {
      const out = rows.map((r) => r.ed.get()).filter((v) => v !== undefined);
      return out.length ? out : undefined;
    },
  };
}

function hoursEditor(value, id) {
  const days = {};
  const body = h('div', { class: 'config-hours', id });
  for (const day of DAYS) {
    const slots = [];
    const list = h('div', { class: 'row' });
    const addSlot = (iv) => {
      const open = h('input', { type: 'time', value: iv ? iv.open : '', 'aria-label': `${t(`config.day.${day}`)} ${t('config.open')}`, 'data-hours': `${day}-open` });
      const close = h('input', { type: 'time', value: iv ? iv.close : '', 'aria-label': `${t(`config.day.${day}`)} ${t('config.close')}`, 'data-hours': `${day}-close` });
      const slot = { open, close };
      slot.el = h('span', { class: 'config-slot' }, open, ' – ', close, h('button', { type: 'button', class: 'btn small', onclick: () => {
        slots.splice(slots.indexOf(slot), 1);
        slot.el.remove();
      } }, '×'));
      slots.push(slot);
      list.append(slot.el);
    };
    (value[day] || []).forEach(addSlot);
    const add = h('button', { type: 'button', class: 'btn small', 'data-hours-add': day, onclick: () => addSlot(null) }, t('config.addInterval'));
    days[day] = slots;
    body.append(h('div', { class: 'row config-day' }, h('strong', { class: 'config-day-name' }, t(`config.day.${day}`)), list, add));
  }
  return {
    el: body,
    get: () => {
      const out = {};
      for (const day of DAYS) {
        const ivs = days[day].filter((s) => s.open.value || s.close.value).map((s) => ({ open: s.open.value, close: s.close.value }));
        if (ivs.length) out[day] = ivs;
      }
      return Object.keys(out).length ? out : undefined;
    },
  };
}

/** The form of one application's configuration. */
function configForm(cfg, savePath, onSaved) {
  const schema = cfg.schema || {};
  const required = new Set(schema.required || []);
  const fields = {};
  const problemsOf = (name) => (cfg.problems || []).filter((p) => p.path === name || p.path.startsWith(`${name}.`) || p.path.startsWith(`${name}[`));
  const rows = Object.entries(schema.properties || {}).map(([name, prop]) => {
    const id = nextId(`cfg-${name}`);
    const label = text(prop.title) || name;
    const ed = editor(prop, cfg.saved ? cfg.saved[name] : undefined, id, label);
    const error = h('p', { class: 'field-error', 'aria-live': 'polite', 'data-error-for': name });
    const found = problemsOf(name);
    if (found.length) error.textContent = found.map((p) => `${p.path}: ${p.reason}`).join('; ');
    const wrap = h('div', { class: ['field', 'wide', found.length && 'invalid'], 'data-config-field': name },
      h('label', { for: id }, label, required.has(name) ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
      prop.description ? h('p', { class: 'field-hint' }, text(prop.description)) : null,
      ed.el, error);
    fields[name] = { ed, error, wrap };
    return wrap;
  });
  const orphans = (cfg.problems || []).filter((p) => !fields[p.path.split(/[.[]/)[0]]);
  const errorBox = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('action.save'));
  const form = h('form', { class: 'form', novalidate: true },
    (cfg.problems || []).length ? h('p', { class: 'notice warn', role: 'status' }, t('config.problems', { count: cfg.problems.length })) : null,
    orphans.length ? h('ul', {}, orphans.map((p) => h('li', {}, `${p.path}: ${p.reason}`))) : null,
    rows, errorBox, h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errorBox.hidden = true;
    for (const f of Object.values(fields)) {
      f.error.textContent = '';
      f.wrap.classList.remove('invalid');
    }
    const values = {};
    for (const [name, f] of Object.entries(fields)) {
      const v = f.ed.get();
      if (v !== undefined) values[name] = v;
    }
    submit.disabled = true;
    try {
      const saved = await api.put(savePath, { values });
      notify(t('config.saved', { name: cfg.application_name }));
      onSaved(saved);
    } catch (err) {
      const target = err.field ? fields[String(err.field).split(/[.[]/)[0]] : null;
      if (target) {
        target.error.textContent = err.field.includes('.') || err.field.includes('[') ? `${err.field}: ${fieldMessage(err)}` : fieldMessage(err);
        target.wrap.classList.add('invalid');
        target.wrap.scrollIntoView({ block: 'center' });
      } else {
        errorBox.textContent = errorMessage(err);
        errorBox.hidden = false;
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** The configurations of a company, one card per application: `companyId` names the company. */
export function configPanels(companyId) {
  const base = `/companies/${encodeURIComponent(companyId)}/config`;
  const root = h('div', { class: 'config-panels' });
  loadInto(root, () => api.get(base), (list) => {
    const items = list.items || [];
    if (!items.length) return emptyState(t('config.empty'));
    return h('div', {}, items.map((cfg) => {
      const holder = h('div', { 'data-config-app': cfg.application_id });
      const path = `${base}/${encodeURIComponent(cfg.application_id)}`;
      const show = (c) => mount(holder, card(t('config.cardTitle', { name: c.application_name }), h('p', { class: 'muted' }, t('config.version', { version: c.schema_version })), configForm(c, path, show)));
      show(cfg);
      return holder;
    }));
  });
  return root;
}
