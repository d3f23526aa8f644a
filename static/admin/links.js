// Links: which application may act for which company, with which scopes. Create one; list and
// revoke all of them, filtered by application or company.
import { allItems, api } from '../shared/api.js';
import { h, mount } from '../shared/dom.js';
import { createForm } from '../shared/form.js';
import { t } from '../shared/i18n.js';
import { KNOWN_SCOPES, linksPanel } from '../shared/links.js';
import { pagedFrom } from '../shared/list.js';
import { href } from '../shared/router.js';
import { card, errorState, loadingState, notify, pageHeader } from '../shared/ui.js';
import { withCompanyNames } from './names.js';
import { companyPicker, scopesField } from './pickers.js';

const DEFAULT_KINDS = ['omie', 'asaas', 'evolution', 'google_calendar'];

async function loadChoices() {
  const [apps, kinds] = await Promise.all([
    allItems('/applications'),
    api.get('/secret-kinds').catch(() => null),
  ]);
  const kindList = Array.isArray(kinds) ? kinds : (kinds && kinds.items) || DEFAULT_KINDS.map((kind) => ({ kind }));
  return {
    apps,
    scopes: [...KNOWN_SCOPES, ...kindList.map((k) => `secrets:${k.kind}:read`)],
  };
}

function createCard({ apps, scopes }, query, onCreated) {
  const form = createForm({
    fields: [
      {
        name: 'application_id',
        label: t('links.application'),
        type: 'select',
        required: true,
        value: query.application_id || '',
        options: [{ value: '', label: t('links.chooseApplication') }, ...apps.map((a) => ({ value: a.id, label: a.name || a.id }))],
      },
      companyPicker({ initialId: query.company_id }),
      scopesField(scopes),
    ],
    submitLabel: t('links.create'),
    async onSubmit(values) {
      await api.post('/links', values);
      notify(t('links.created'));
      onCreated();
    },
  });
  return card(t('links.new'), form.el);
}

export function render({ query, setTitle }) {
  setTitle(t('nav.links'));
  const body = h('div', {}, loadingState());
  async function load() {
    try {
      const choices = await loadChoices();
      const names = Object.fromEntries(choices.apps.map((a) => [a.id, a.name]));
      const panel = linksPanel({
        canEditExternalId: true,
        canRevoke: true,
        appName: (l) => names[l.application_id],
        appHref: (l) => `#/applications/${encodeURIComponent(l.application_id)}`,
        companyHref: (l) => `#/companies/${encodeURIComponent(l.company_id)}`,
        load: pagedFrom('/links', { application_id: query.application_id, company_id: query.company_id }, { enrich: withCompanyNames }),
        deletePath: (l) => `/links/${encodeURIComponent(l.id)}`,
      });
      const filtered = query.application_id || query.company_id;
      mount(
        body,
        createCard(choices, query, () => panel.reload()),
        card(
          t('links.title'),
          filtered ? h('p', { class: 'muted' }, t('links.filtered'), ' ', h('a', { href: href('/links') }, t('links.showAll'))) : null,
          panel.el,
        ),
      );
    } catch (err) {
      mount(body, errorState(err, load));
    }
  }
  load();
  return h('div', {}, pageHeader(t('nav.links'), { subtitle: t('links.subtitle') }), body);
}
