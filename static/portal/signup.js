// Sign-up: a new company and its first admin, both pending until the platform owner approves.
import { api } from '../shared/api.js';
import { companyFields } from '../shared/company.js';
import { h } from '../shared/dom.js';
import { createForm } from '../shared/form.js';
import { t } from '../shared/i18n.js';
import { navigate } from '../shared/router.js';
import { plainPage } from '../shared/shell.js';

export function signupPage() {
  const company = companyFields({}).map((f) => ({ ...f, apiField: `company.${f.name}`, required: f.required || f.name === 'contact_email' }));
  const form = createForm({
    columns: 2,
    fields: [
      h('h2', { class: 'wide form-section' }, t('signup.companySection')),
      ...company,
      h('h2', { class: 'wide form-section' }, t('signup.adminSection')),
      { name: 'name', label: t('user.name'), required: true, maxLength: 120, autocomplete: 'name', apiField: 'admin.name' },
      { name: 'email', label: t('auth.email'), type: 'email', required: true, maxLength: 254, autocomplete: 'username', apiField: 'admin.email' },
      { name: 'password', label: t('auth.password'), type: 'password', required: true, minLength: 10, maxLength: 256, trim: false, hint: t('auth.passwordHint'), apiField: 'admin.password' },
      {
        name: 'confirm',
        label: t('auth.passwordConfirm'),
        type: 'password',
        required: true,
        trim: false,
        validate: (v, final) => (final && v !== form.fields.password.value ? t('validation.passwordMismatch') : null),
      },
    ],
    submitLabel: t('signup.submit'),
    actions: h('a', { class: 'btn', href: '#/' }, t('signup.haveAccount')),
    async onSubmit(v) {
      const companyBody = { legal_name: v.legal_name, cnpj: v.cnpj, contact_email: v.contact_email };
      if (v.trade_name) companyBody.trade_name = v.trade_name;
      if (v.contact_phone) companyBody.contact_phone = v.contact_phone;
      await api.post('/signup', { company: companyBody, admin: { name: v.name, email: v.email, password: v.password } });
      navigate('/signup/done');
    },
  });
  document.title = `${t('signup.title')} · armario`;
  const page = plainPage(h('h1', { tabindex: '-1' }, t('signup.title')), h('p', { class: 'muted' }, t('signup.intro')), form.el);
  page.querySelector('.plain-card').classList.add('wide');
  return page;
}

export function waitingPage() {
  document.title = `${t('signup.waitingTitle')} · armario`;
  return plainPage(
    h('h1', { tabindex: '-1' }, t('signup.waitingTitle')),
    h('p', {}, t('signup.waitingText')),
    h('p', { class: 'muted' }, t('signup.waitingNext')),
    h('a', { class: 'btn primary', href: '#/' }, t('signup.toSignIn')),
  );
}
