// Applications that call the API: the list and a form to register a new one.
import { api } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { createForm } from '../shared/form.js';
import { withoutEmpty } from '../shared/company.js';
import { formatDate } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { pagedFrom, pagedTable } from '../shared/list.js';
import { navigate } from '../shared/router.js';
import { badge, card, notify, pageHeader } from '../shared/ui.js';

export const appHref = (id) => `#/applications/${encodeURIComponent(id)}`;

export function applicationFields(app = {}) {
  return [
    { name: 'name', label: t('app.name'), required: true, maxLength: 120, value: app.name, autocomplete: 'off' },
    { name: 'contact_email', label: t('app.contactEmail'), type: 'email', maxLength: 254, value: app.contact_email, hint: t('app.contactEmailHint') },
    { name: 'description', label: t('app.description'), type: 'textarea', maxLength: 500, value: app.description, wide: true },
  ];
}

function createCard(onCancel) {
  const form = createForm({
    fields: applicationFields(),
    submitLabel: t('apps.create'),
    actions: h('button', { type: 'button', class: 'btn', onclick: onCancel }, t('action.cancel')),
    async onSubmit(values) {
      const app = await api.post('/applications', withoutEmpty(values));
      notify(t('apps.created', { name: app.name || values.name }));
      navigate(`/applications/${encodeURIComponent(app.id)}`);
    },
  });
  return { el: card(t('apps.new'), form.el), focus: () => form.fields.name.focus() };
}

export function render({ setTitle }) {
  setTitle(t('nav.applications'));
  const list = pagedTable({
    caption: t('nav.applications'),
    empty: t('apps.empty'),
    load: pagedFrom('/applications'),
    columns: [
      { label: t('app.name'), render: (a) => h('div', {}, h('a', { href: appHref(a.id) }, a.name || a.id), a.description ? h('div', { class: 'muted' }, a.description) : null) },
      { label: t('app.status'), render: (a) => badge(a.status || 'active') },
      { label: t('app.id'), render: (a) => h('code', {}, a.id) },
      { label: t('company.created'), render: (a) => formatDate(a.created_at) },
    ],
  });
  const newBtn = h('button', { type: 'button', class: 'btn primary', 'aria-expanded': 'false' }, t('apps.new'));
  const slot = h('div', { hidden: true });
  const create = createCard(() => {
    slot.hidden = true;
    newBtn.hidden = false;
    newBtn.setAttribute('aria-expanded', 'false');
    newBtn.focus();
  });
  slot.append(create.el);
  newBtn.addEventListener('click', () => {
    slot.hidden = false;
    newBtn.hidden = true;
    newBtn.setAttribute('aria-expanded', 'true');
    create.focus();
  });
  return h('div', {}, pageHeader(t('nav.applications'), { subtitle: t('apps.subtitle'), actions: newBtn }), slot, list.el);
}
