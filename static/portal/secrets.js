// The company's third-party credentials, write-only: one form per kind (Omie first). After a
// save the page shows only that the credential is set, its hint and when it changed.
import { allItems, api } from '../shared/api.js';
import { actionButton } from '../shared/dialog.js';
import { h, mount } from '../shared/dom.js';
import { createForm } from '../shared/form.js';
import { formatDateTime, formatRelative } from '../shared/format.js';
import { t, tOr } from '../shared/i18n.js';
import { badge, card, errorState, loadingState, notify } from '../shared/ui.js';
import { withCompany } from './common.js';

const FALLBACK_KINDS = [
  { kind: 'omie', fields: ['app_key', 'app_secret'] },
  { kind: 'asaas', fields: ['api_key'] },
  { kind: 'evolution', fields: ['base_url', 'instance', 'api_key'] },
  { kind: 'google_calendar', fields: ['client_id', 'client_secret', 'refresh_token'] },
];

function ordered(kinds) {
  const list = kinds.filter((k) => !String(k.kind).startsWith('custom'));
  return list.sort((a, b) => (a.kind === 'omie' ? -1 : b.kind === 'omie' ? 1 : 0));
}

function statusLine(state) {
  if (!state) return h('p', { class: 'row' }, badge('not_set'), h('span', { class: 'muted' }, t('secrets.notSetText')));
  return h(
    'p',
    { class: 'row secret-status' },
    badge('set'),
    h('span', {}, t('secrets.hintLabel'), ' ', h('code', { class: 'secret-hint' }, state.hint || '—')),
    h('span', { class: 'muted', title: formatDateTime(state.updated_at) }, t('secrets.changedAgo', { when: formatRelative(state.updated_at) })),
  );
}

function kindCard(company, kind, initial) {
  let state = initial;
  const path = `/companies/${encodeURIComponent(company.id)}/secrets/${encodeURIComponent(kind.kind)}`;
  const status = h('div', {}, statusLine(state));
  // Says what saving does: write-only while empty, replacing once a value is stored.
  const note = h('p', { class: 'muted' });
  const showNote = () => {
    note.textContent = state ? t('secrets.replaceNote') : t('secrets.writeOnlyNote');
  };
  showNote();
  const label = tOr(`secretKind.${kind.kind}`, kind.kind);
  const remove = actionButton(t('secrets.remove'), {
    small: false,
    confirm: { title: t('secrets.removeTitle', { kind: label }), message: t('secrets.removeText'), confirmLabel: t('secrets.remove') },
    run: () => api.del(path),
    done: t('secrets.removed', { kind: label }),
    after: () => {
      state = null;
      mount(status, statusLine(state));
      showNote();
      remove.hidden = true;
    },
  });
  remove.hidden = !state;
  const fields = (kind.fields || []).map((name) => {
    const plain = /url|instance|client_id/.test(name);
    return { name, label: tOr(`secretField.${name}`, name), type: plain ? 'text' : 'password', required: true, maxLength: 4096, autocomplete: 'off', trim: plain, apiField: `values.${name}` };
  });
  const form = createForm({
    fields,
    submitLabel: t('secrets.save'),
    actions: remove,
    async onSubmit(values) {
      const saved = await api.put(path, { values });
      state = saved || { hint: '', updated_at: new Date().toISOString() };
      for (const f of Object.values(form.fields)) f.value = '';
      mount(status, statusLine(state));
      showNote();
      remove.hidden = false;
      notify(t('secrets.saved', { kind: label }));
    },
  });
  const el = card(label, status, note, form.el);
  el.dataset.kind = kind.kind;
  return el;
}

export function render(ctx) {
  return withCompany(ctx, 'portalNav.secrets', (company) => {
    const body = h('div', {}, loadingState());
    async function load() {
      try {
        const [kinds, set] = await Promise.all([
          api.get('/secret-kinds').catch((err) => (err.status === 404 ? FALLBACK_KINDS : Promise.reject(err))),
          allItems(`/companies/${encodeURIComponent(company.id)}/secrets`),
        ]);
        const list = ordered(Array.isArray(kinds) ? kinds : (kinds && kinds.items) || FALLBACK_KINDS);
        const byKind = Object.fromEntries(set.map((s) => [s.kind, s]));
        mount(body, h('p', { class: 'muted' }, t('secrets.intro')), list.map((k) => kindCard(company, k, byKind[k.kind])));
      } catch (err) {
        mount(body, errorState(err, load));
      }
    }
    load();
    return body;
  });
}
