// First sign-in: the setup link printed by `armario serve` (…/admin/setup#token=…) creates the
// first owner and signs them in. The server answers /admin/setup with admin/index.html, whose
// main.js loads this module.
import { api } from '../shared/api.js';
import { h, mount } from '../shared/dom.js';
import { createForm } from '../shared/form.js';
import { t } from '../shared/i18n.js';
import { plainPage } from '../shared/shell.js';
import { errorState, loadingState } from '../shared/ui.js';

// The dashboard's address (this module itself is served from /static/admin/).
const ADMIN_HOME = '/admin/';
const root = document.getElementById('app');

function tokenFromHash() {
  return new URLSearchParams(location.hash.replace(/^#/, '')).get('token') || '';
}

function setupForm(token) {
  const password = { name: 'password', label: t('auth.password'), type: 'password', required: true, minLength: 10, maxLength: 256, trim: false, hint: t('auth.passwordHint') };
  const form = createForm({
    fields: [
      { name: 'name', label: t('user.name'), required: true, maxLength: 120, autocomplete: 'name' },
      { name: 'email', label: t('auth.email'), type: 'email', required: true, maxLength: 254, autocomplete: 'username' },
      password,
      {
        name: 'confirm',
        label: t('auth.passwordConfirm'),
        type: 'password',
        required: true,
        trim: false,
        validate: (v, final) => (final && v !== form.fields.password.value ? t('validation.passwordMismatch') : null),
      },
    ],
    submitLabel: t('setup.submit'),
    async onSubmit(values) {
      const { name, email } = values;
      await api.post('/setup', { token, name, email, password: values.password });
      await api.post('/auth/login', { email, password: values.password }, { quiet401: true });
      location.replace(`${ADMIN_HOME}#/`);
    },
  });
  return form.el;
}

async function render() {
  document.title = `armario · ${t('setup.title')}`;
  const token = tokenFromHash();
  const body = h('div', {}, loadingState());
  mount(root, plainPage(h('h1', { tabindex: '-1' }, t('setup.title')), body));
  if (!token) {
    mount(body, h('p', { class: 'form-error', role: 'alert' }, t('setup.noToken')), h('a', { href: ADMIN_HOME }, t('setup.toSignIn')));
    return;
  }
  try {
    const status = await api.get('/setup');
    if (status && status.needed === false) {
      mount(body, h('p', { class: 'notice' }, t('setup.done')), h('a', { class: 'btn primary', href: ADMIN_HOME }, t('setup.toSignIn')));
      return;
    }
  } catch (err) {
    if (err.status !== 404) {
      mount(body, errorState(err, render));
      return;
    }
  }
  mount(body, h('p', { class: 'muted' }, t('setup.intro')), setupForm(token));
}

window.addEventListener('langchange', render);
render();
