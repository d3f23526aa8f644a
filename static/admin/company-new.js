// Registering a company by hand (the owner); it starts pending until approved.
import { api } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { createForm } from '../shared/form.js';
import { t } from '../shared/i18n.js';
import { companyFields, withoutEmpty } from '../shared/company.js';
import { navigate } from '../shared/router.js';
import { card, notify, pageHeader } from '../shared/ui.js';

export function render({ setTitle }) {
  setTitle(t('companies.new'));
  const form = createForm({
    columns: 2,
    fields: companyFields({}, { owner: true, create: true }),
    submitLabel: t('companies.create'),
    actions: h('a', { class: 'btn', href: '#/companies' }, t('action.cancel')),
    async onSubmit(values) {
      const created = await api.post('/companies', withoutEmpty(values));
      notify(t('companies.created'));
      navigate(`/companies/${encodeURIComponent(created.id)}`);
    },
  });
  return h('div', {}, pageHeader(t('companies.new'), { back: { href: '#/companies', label: t('nav.companies') }, subtitle: t('companies.newHint') }), card(null, form.el));
}
