// The application page's Webhooks card: the endpoints armario posts events to (URL, event
// types, enabled, failing), registered with their signing secret shown once, edited, rotated
// and removed; and each endpoint's deliveries (status, response code, latency, attempts), sent
// again one by one or all failed/dead ones since a date.
import { api } from '../shared/api.js';
import { actionButton, secretDialog } from '../shared/dialog.js';
import { h, mount } from '../shared/dom.js';
import { createForm } from '../shared/form.js';
import { formatDateTime } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { table } from '../shared/list.js';
import { card, emptyState, loadInto, notify } from '../shared/ui.js';
import { formDialog } from '../shared/user-edit.js';
import { withCompanyNames } from './names.js';

// The event catalogue (README, "Webhooks").
export const EVENT_TYPES = [
  'company.created', 'company.approved', 'company.updated', 'company.suspended', 'company.reactivated', 'company.cancelled', 'company.erased',
  'user.created', 'user.updated', 'user.disabled', 'user.deleted',
  'link.created', 'link.updated', 'link.revoked',
  'secret.changed', 'config.changed', 'plan.changed',
  'role.granted', 'role.revoked', 'provisioning.requested',
];

const hooksPath = (app) => `/applications/${encodeURIComponent(app.id)}/webhooks`;
const hookPath = (app, e) => `${hooksPath(app)}/${encodeURIComponent(e.id)}`;

/** A form field of checkboxes, one per event type, that createForm validates like the others. */
function eventTypesField(selected = []) {
  const boxes = EVENT_TYPES.map((type) => h('input', { type: 'checkbox', value: type, checked: selected.includes(type) }));
  const error = h('p', { class: 'field-error', 'aria-live': 'polite' });
  const all = h('button', { type: 'button', class: 'btn small' }, t('hooks.allEvents'));
  all.addEventListener('click', () => boxes.forEach((b) => (b.checked = true)));
  const el = h(
    'fieldset',
    { class: 'field wide' },
    h('legend', {}, t('hooks.events'), h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')),
    h('div', { class: 'checks' }, boxes.map((b) => h('label', {}, b, ' ', h('code', {}, b.value)))),
    h('div', {}, all),
    error,
  );
  const f = {
    name: 'event_types',
    el,
    get value() {
      return boxes.filter((b) => b.checked).map((b) => b.value);
    },
    set value(v) {
      boxes.forEach((b) => (b.checked = (v || []).includes(b.value)));
    },
    setError(message) {
      error.textContent = message || '';
      el.classList.toggle('invalid', Boolean(message));
    },
    validate(final) {
      const message = final && !f.value.length ? t('hooks.pickEvent') : null;
      f.setError(message);
      return !message;
    },
    focus() {
      boxes[0].focus();
    },
    matches: (apiField) => Boolean(apiField) && apiField.startsWith('event_types'),
  };
  return f;
}

/** A status badge with its own words: the colour of a known status, the label given. */
const pill = (look, label) => h('span', { class: ['badge', `st-${look}`] }, label);

function status(e) {
  if (e.enabled) return pill('active', t('hooks.enabled'));
  return e.disabled_reason === 'failing' ? pill('suspended', t('hooks.failing')) : pill('disabled', t('hooks.disabled'));
}

function deliveriesPanel(app, endpoint) {
  const body = h('div');
  const path = `${hookPath(app, endpoint)}/deliveries?limit=50`;
  const replayOne = (d) =>
    actionButton(t('hooks.replay'), {
      run: () => api.post(`${hookPath(app, endpoint)}/deliveries/${d.id}/replay`),
      done: t('hooks.replayedOne', { event: d.event_type }),
      after: reload,
    });
  function reload() {
    return loadInto(
      body,
      async () => {
        const answer = await api.get(path);
        return withCompanyNames(answer.items || []);
      },
      (items) => {
        if (!items.length) return emptyState(t('hooks.noDeliveries'));
        return table(
          [
            { label: t('hooks.when'), render: (d) => formatDateTime(d.created_at) },
            { label: t('hooks.event'), render: (d) => h('code', {}, d.event_type) },
            { label: t('hooks.company'), render: (d) => h('a', { href: `#/companies/${encodeURIComponent(d.company_id)}` }, d.company_name || d.company_id) },
            { label: t('hooks.status'), render: (d) => pill(d.status === 'delivered' ? 'active' : d.status === 'dead' ? 'cancelled' : 'pending', t(`hooks.st.${d.status}`)) },
            { label: t('hooks.code'), render: (d) => (d.response_code ? String(d.response_code) : '—') },
            { label: t('hooks.latency'), render: (d) => (d.latency_ms != null ? `${d.latency_ms} ms` : '—') },
            { label: t('hooks.attempts'), render: (d) => String(d.attempts) },
            { label: t('hooks.lastError'), render: (d) => (d.last_error ? h('span', { class: 'muted', title: d.last_error }, d.last_error.slice(0, 80)) : '—') },
            { label: t('list.actions'), className: 'actions', render: (d) => (d.status === 'pending' ? '—' : replayOne(d)) },
          ],
          items,
          { caption: t('hooks.deliveriesOf', { url: endpoint.url }) },
        );
      },
    );
  }
  const range = createForm({
    columns: 2,
    fields: [
      { name: 'since', label: t('hooks.since'), type: 'date', required: true },
      { name: 'status', label: t('hooks.which'), type: 'select', value: 'dead', options: ['dead', 'failed'].map((s) => ({ value: s, label: t(`hooks.st.${s}`) })) },
    ],
    submitLabel: t('hooks.replayRange'),
    async onSubmit(v) {
      const answer = await api.post(`${hookPath(app, endpoint)}/replay`, { since: new Date(`${v.since}T00:00:00`).toISOString(), status: v.status });
      notify(t('hooks.replayedMany', { count: answer.replayed }));
      reload();
    },
  });
  reload();
  return h('div', { class: 'subpanel' }, h('h3', {}, t('hooks.deliveries')), body, h('h4', {}, t('hooks.replayTitle')), range.el);
}

export function webhooksCard(app) {
  const body = h('div');
  const detail = h('div');
  const refresh = () => reload();

  const editButton = (e) => {
    const btn = h('button', { type: 'button', class: 'btn small' }, t('hooks.edit'));
    btn.addEventListener('click', async () => {
      const events = eventTypesField(e.event_types);
      const saved = await formDialog({
        title: t('hooks.editTitle'),
        fields: [
          { name: 'url', label: t('hooks.url'), type: 'url', required: true, maxLength: 2000, value: e.url, wide: true },
          { name: 'enabled', label: t('hooks.state'), type: 'select', value: e.enabled ? 'true' : 'false', options: [{ value: 'true', label: t('hooks.enabled') }, { value: 'false', label: t('hooks.disabled') }] },
          events,
        ],
        submitLabel: t('action.save'),
        onSubmit: (v) => api.patch(hookPath(app, e), { url: v.url, enabled: v.enabled === 'true', event_types: v.event_types }),
      });
      if (saved) {
        notify(t('form.saved'));
        refresh();
      }
    });
    return btn;
  };

  const rotateButton = (e) =>
    actionButton(t('hooks.rotate'), {
      confirm: { title: t('hooks.rotateTitle'), message: t('hooks.rotateText'), confirmLabel: t('hooks.rotate'), danger: false },
      run: async () => {
        const answer = await api.post(`${hookPath(app, e)}/rotate-secret`);
        secretDialog({ title: t('hooks.secretTitle'), secret: answer.secret, note: t('hooks.rotatedNote') });
      },
      after: refresh,
    });

  const removeButton = (e) =>
    actionButton(t('hooks.remove'), {
      danger: true,
      confirm: { title: t('hooks.removeTitle'), message: t('hooks.removeText', { url: e.url }), confirmLabel: t('hooks.remove') },
      run: () => api.del(hookPath(app, e)),
      done: t('hooks.removed'),
      after: () => {
        mount(detail);
        refresh();
      },
    });

  const showButton = (e) => {
    const btn = h('button', { type: 'button', class: 'btn small' }, t('hooks.deliveries'));
    btn.addEventListener('click', () => {
      mount(detail, deliveriesPanel(app, e));
      detail.scrollIntoView({ block: 'nearest' });
    });
    return btn;
  };

  function reload() {
    return loadInto(
      body,
      () => api.get(hooksPath(app)),
      (answer) => {
        const items = answer.items || [];
        if (!items.length) return emptyState(t('hooks.empty'));
        return table(
          [
            { label: t('hooks.url'), render: (e) => h('code', { class: 'wrap' }, e.url) },
            { label: t('hooks.events'), render: (e) => (e.event_types.length === EVENT_TYPES.length ? t('hooks.every') : h('div', {}, e.event_types.map((x) => h('span', { class: 'scope' }, x)))) },
            { label: t('hooks.state'), render: status },
            { label: t('list.actions'), className: 'actions', render: (e) => h('div', { class: 'row-actions' }, showButton(e), editButton(e), rotateButton(e), removeButton(e)) },
          ],
          items,
          { caption: t('hooks.title') },
        );
      },
    );
  }

  const events = eventTypesField();
  const form = createForm({
    fields: [{ name: 'url', label: t('hooks.url'), type: 'url', required: true, maxLength: 2000, hint: t('hooks.urlHint'), autocomplete: 'off', wide: true }, events],
    submitLabel: t('hooks.add'),
    async onSubmit(v) {
      const created = await api.post(hooksPath(app), { url: v.url, event_types: v.event_types });
      form.fields.url.value = '';
      events.value = [];
      refresh();
      secretDialog({ title: t('hooks.secretTitle'), secret: created.secret, note: t('hooks.secretNote') });
    },
  });
  reload();
  return card(t('hooks.title'), h('p', { class: 'muted' }, t('hooks.intro')), body, detail, h('h3', {}, t('hooks.new')), form.el);
}
