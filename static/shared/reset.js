// Password reset: "forgot your password?" asks for a link by e-mail (#/forgot on either sign-in
// page), and the link's page (…/admin/reset#token=… or …/portal/reset#token=…) chooses the new
// password. The token stays in the fragment, so it never reaches a server log, and it is
// dropped from the address bar before anything else happens.
import { api } from './api.js';
import { h, mount } from './dom.js';
import { createForm } from './form.js';
import { t } from './i18n.js';
import { plainPage } from './shell.js';

/** The page that asks for a reset link; `back` is the sign-in page's address. */
export function forgotPage(back) {
  const done = h('div');
  const form = createForm({
    fields: [{ name: 'email', label: t('auth.email'), type: 'email', required: true, autocomplete: 'username', maxLength: 254 }],
    submitLabel: t('reset.send'),
    actions: h('a', { class: 'btn', href: back }, t('reset.back')),
    async onSubmit(v) {
      await api.post('/auth/password-reset', { email: v.email });
      form.el.hidden = true;
      mount(done, h('p', { class: 'notice', role: 'status' }, t('reset.sent', { email: v.email })), h('a', { class: 'btn primary', href: back }, t('reset.back')));
    },
  });
  document.title = `${t('reset.forgotTitle')} · armario`;
  return plainPage(h('h1', { tabindex: '-1' }, t('reset.forgotTitle')), h('p', { class: 'muted' }, t('reset.forgotIntro')), form.el, done);
}

/** The page a reset link opens, mounted on `root`; `signIn` is where to go afterwards. */
export function resetPage(root, signIn) {
  const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') || '';
  history.replaceState(null, '', location.pathname);
  const done = h('div');
  const form = createForm({
    fields: [
      { name: 'new_password', label: t('reset.newPassword'), type: 'password', required: true, minLength: 10, maxLength: 256, trim: false, autocomplete: 'new-password', hint: t('auth.passwordHint') },
      {
        name: 'confirm',
        label: t('auth.passwordConfirm'),
        type: 'password',
        required: true,
        trim: false,
        autocomplete: 'new-password',
        validate: (v, final) => (final && v !== form.fields.new_password.value ? t('validation.passwordMismatch') : null),
      },
    ],
    submitLabel: t('reset.save'),
    async onSubmit(v) {
      try {
        await api.post('/auth/password-reset/confirm', { token, new_password: v.new_password });
      } catch (err) {
        if (err.field === 'token') {
          form.el.hidden = true;
          mount(done, h('p', { class: 'form-error', role: 'alert' }, t('reset.invalid')), h('a', { class: 'btn primary', href: `${signIn}#/forgot` }, t('reset.askAgain')));
          return;
        }
        throw err;
      }
      form.el.hidden = true;
      mount(done, h('p', { class: 'notice', role: 'status' }, t('reset.done')), h('a', { class: 'btn primary', href: signIn }, t('setup.toSignIn')));
    },
  });
  document.title = `${t('reset.title')} · armario`;
  const page = plainPage(h('h1', { tabindex: '-1' }, t('reset.title')), form.el, done);
  if (!token) {
    form.el.hidden = true;
    mount(done, h('p', { class: 'form-error', role: 'alert' }, t('reset.invalid')), h('a', { class: 'btn primary', href: `${signIn}#/forgot` }, t('reset.askAgain')));
  }
  mount(root, page);
}
