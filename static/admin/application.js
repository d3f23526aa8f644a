// One application: its data, its credentials (the secret is shown once, at creation, with a copy
// button; afterwards only label, dates and last use), the roles it declares, its webhook
// endpoints and their deliveries, and the companies it is linked to.
import { allItems, api } from '../shared/api.js';
import { actionButton, secretDialog } from '../shared/dialog.js';
import { h, mount } from '../shared/dom.js';
import { changed, createForm } from '../shared/form.js';
import { formatDateTime, formatRelative } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { linksPanel } from '../shared/links.js';
import { navigate } from '../shared/router.js';
import { pagedFrom, table } from '../shared/list.js';
import { badge, card, emptyState, errorState, loadInto, loadingState, notFoundPage, notify, pageHeader } from '../shared/ui.js';
import { oidcCard } from './app-oidc.js';
import { rolesCard } from './app-roles.js';
import { webhooksCard } from './app-webhooks.js';
import { configCard } from './app-config.js';
import { applicationFields } from './applications.js';
import { withCompanyNames } from './names.js';

const base = (id) => `/applications/${encodeURIComponent(id)}`;

function credentialStatus(c) {
  if (c.revoked_at) return 'revoked';
  if (c.expires_at && new Date(c.expires_at) < new Date()) return 'expired';
  return 'active';
}

/** The credentials list; a server without the list route may embed them in the application. */
async function loadCredentials(app) {
  try {
    return await allItems(`${base(app.id)}/credentials`);
  } catch (err) {
    if (err.status === 404 && Array.isArray(app.credentials)) return app.credentials;
    throw err;
  }
}

function credentialsCard(app) {
  const body = h('div');
  const reload = () =>
    loadInto(
      body,
      () => loadCredentials(app),
      (items) => {
        const live = items.filter((c) => !c.revoked_at);
        if (!live.length) return emptyState(t('creds.empty'));
        return table(
          [
            { label: t('creds.label'), render: (c) => h('div', {}, h('strong', {}, c.label || '—'), c.prefix ? h('div', { class: 'muted mono' }, `${c.prefix}…`) : null) },
            { label: t('app.status'), render: (c) => badge(credentialStatus(c)) },
            { label: t('creds.expires'), render: (c) => (c.expires_at ? formatDateTime(c.expires_at) : t('creds.never')) },
            { label: t('creds.lastUsed'), render: (c) => (c.last_used_at ? h('span', { title: formatDateTime(c.last_used_at) }, formatRelative(c.last_used_at)) : t('creds.neverUsed')) },
            { label: t('creds.lastIp'), render: (c) => (c.last_used_ip ? h('code', {}, c.last_used_ip) : '—') },
            { label: t('list.actions'), className: 'actions', render: (c) => revokeButton(app, c, reload) },
          ],
          live,
          { caption: t('creds.title') },
        );
      },
    );
  const form = createForm({
    columns: 2,
    fields: [
      { name: 'label', label: t('creds.label'), required: true, maxLength: 80, placeholder: t('creds.labelPlaceholder'), autocomplete: 'off' },
      { name: 'expires_on', label: t('creds.expiresOn'), type: 'date', hint: t('creds.expiresHint'), validate: (v) => (v && new Date(`${v}T23:59:59`) < new Date() ? t('validation.future') : null) },
    ],
    submitLabel: t('creds.create'),
    async onSubmit(values) {
      const bodyReq = { label: values.label };
      if (values.expires_on) bodyReq.expires_at = new Date(`${values.expires_on}T23:59:59`).toISOString();
      const issued = await api.post(`${base(app.id)}/credentials`, bodyReq);
      const cred = issued.credential || issued;
      form.fields.label.value = '';
      form.fields.expires_on.value = '';
      reload();
      // Not awaited: the form is done; the dialog stays until the user confirms the copy.
      secretDialog({ title: t('creds.createdTitle', { label: cred.label || values.label }), secret: issued.secret, note: t('creds.createdNote') });
    },
  });
  reload();
  return card(t('creds.title'), body, h('h3', {}, t('creds.new')), form.el);
}

function revokeButton(app, cred, reload) {
  const label = cred.label || cred.id;
  return actionButton(t('action.revoke'), {
    confirm: { title: t('creds.revokeTitle', { label }), message: t('creds.revokeText'), confirmLabel: t('action.revoke') },
    run: () => api.del(`${base(app.id)}/credentials/${encodeURIComponent(cred.id)}`),
    done: t('creds.revoked', { label }),
    after: reload,
  });
}

function editCard(app, reload) {
  const statusField = { name: 'status', label: t('app.status'), type: 'select', value: app.status || 'active', options: ['active', 'disabled'].map((s) => ({ value: s, label: t(`status.${s}`) })) };
  const form = createForm({
    fields: [...applicationFields(app), ...(app.status ? [statusField] : [])],
    async onSubmit(values) {
      const body = changed(values, app);
      if (!Object.keys(body).length) return notify(t('form.nothingChanged'));
      await api.patch(base(app.id), body);
      notify(t('form.saved'));
      reload();
    },
  });
  const remove = actionButton(t('apps.delete'), {
    small: false,
    danger: true,
    confirm: { title: t('apps.deleteTitle', { name: app.name }), message: t('apps.deleteText'), confirmLabel: t('apps.delete') },
    run: () => api.del(base(app.id)),
    done: t('apps.deleted', { name: app.name }),
    after: () => navigate('/applications'),
  });
  return h('div', {}, card(t('apps.edit'), form.el), card(t('apps.dangerZone'), h('p', { class: 'muted' }, t('apps.deleteText')), remove));
}

function linksCard(app) {
  const panel = linksPanel({
    canEditExternalId: true,
    columns: 'company',
    canRevoke: true,
    companyHref: (l) => `#/companies/${encodeURIComponent(l.company_id)}`,
    load: pagedFrom('/links', { application_id: app.id }, { enrich: withCompanyNames }),
    deletePath: (l) => `/links/${encodeURIComponent(l.id)}`,
    empty: t('links.emptyApplication'),
  });
  return card(t('links.title'), h('p', {}, h('a', { class: 'btn', href: `#/links?application_id=${encodeURIComponent(app.id)}` }, t('links.new'))), panel.el);
}

export function render({ params, setTitle }) {
  const root = h('div', {}, loadingState());
  async function load() {
    try {
      const app = await api.get(base(params.id));
      setTitle(app.name || app.id);
      mount(
        root,
        pageHeader(app.name || app.id, { back: { href: '#/applications', label: t('nav.applications') }, subtitle: h('code', {}, app.id) }),
        credentialsCard(app),
        rolesCard(app),
        configCard(app),
        oidcCard(app),
        webhooksCard(app),
        linksCard(app),
        editCard(app, load),
      );
    } catch (err) {
      mount(root, err.status === 404 ? notFoundPage('#/applications') : errorState(err, load));
    }
  }
  load();
  return root;
}
