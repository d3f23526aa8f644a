// The application page's Configuration schema card: the owner declares the schema companies
// fill in (the same as the application's own PUT /app/config-schema) and sets its defaults.
// Both are JSON the server checks; a refused keyword is named by its JSON pointer.
import { api } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { card, errorMessage, notify } from '../shared/ui.js';

const path = (app, what) => `/applications/${encodeURIComponent(app.id)}/${what}`;

function jsonForm({ label, value, submitLabel, send }) {
  const id = `cfg-json-${label.length}-${Math.random().toString(36).slice(2, 8)}`;
  const area = h('textarea', { id, rows: 10, class: 'mono', spellcheck: 'false', value });
  const error = h('p', { class: 'field-error', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, submitLabel);
  const form = h('form', { class: 'form', novalidate: true }, h('div', { class: 'field wide' }, h('label', { for: id }, label), area, error), h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    let parsed;
    try {
      parsed = JSON.parse(area.value || '{}');
    } catch {
      error.textContent = t('config.notJson');
      return;
    }
    submit.disabled = true;
    try {
      await send(parsed);
    } catch (err) {
      error.textContent = err.field ? `${err.field}: ${errorMessage(err).replace(`${err.field}: `, '')}` : errorMessage(err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export function configCard(app) {
  const body = h('div', {}, h('p', { class: 'muted' }, t('config.schemaIntro')));
  const el = card(t('config.schemaTitle'), body);
  api.get(path(app, 'config-schema')).then(
    (s) => show(s),
    (err) => (err.status === 404 ? show(null) : body.append(h('p', { class: 'form-error' }, errorMessage(err)))),
  );
  function show(s) {
    body.append(
      h('p', { class: 'muted', 'data-config-version': s ? s.version : 0 }, s ? t('config.version', { version: s.version }) : t('config.noSchema')),
      jsonForm({
        label: t('config.schemaField'),
        value: s ? JSON.stringify(s.schema, null, 2) : '{\n  "type": "object",\n  "properties": {}\n}',
        submitLabel: t('config.saveSchema'),
        send: async (schema) => {
          const r = await api.put(path(app, 'config-schema'), { schema });
          notify(t('config.schemaSaved', { version: r.version }));
        },
      }),
      jsonForm({
        label: t('config.defaultsField'),
        value: JSON.stringify(s ? s.defaults : {}, null, 2),
        submitLabel: t('config.saveDefaults'),
        send: async (values) => {
          await api.put(path(app, 'config-defaults'), { values });
          notify(t('config.defaultsSaved'));
        },
      }),
    );
  }
  return el;
}
