// The page an invitation's link opens (…/portal/invite#token=…): the invitee chooses a name and
// a password, which creates their account with the invited role. The token stays in the
// fragment, so it never reaches a server log, and it is dropped from the address bar at once.
import { api } from './api.js';
import { h, mount } from './dom.js';
import { createForm } from './form.js';
import { t } from './i18n.js';
import { plainPage } from './shell.js';

/** Mounts the invitation page on `root`; `signIn` is where to go afterwards. */
export function invitePage(root, signIn) {
  const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') || '';
  history.replaceState(null, '', location.pathname);
  const done = h('div');
  const dead = () => {
    form.el.hidden = true;
    mount(done, h('p', { class: 'form-error', role: 'alert' }, t('invite.invalid')), h('a', { class: 'btn primary', href: signIn }, t('setup.toSignIn')));
  };
  const form = createForm({
    fields: [
      { name: 'name', label: t('invite.name'), required: true, maxLength: 120, autocomplete: 'name' },
      { name: 'password', label: t('invite.password'), type: 'password', required: true, minLength: 10, maxLength: 256, trim: false, autocomplete: 'new-password', hint: t('auth.passwordHint') },
      {
        name: 'confirm',
        label: t('auth.passwordConfirm'),
        type: 'password',
        required: true,
        trim: false,
        autocomplete: 'new-password',
        validate: (v, final) => (final && v !== form.fields.password.value ? t('validation.passwordMismatch') : null),
      },
    ],
    submitLabel: t('invite.accept'),
    async onSubmit(v) {
      try {
        await api.post('/invitations/accept', { token, name: v.name, password: v.password });
      } catch (err) {
        if (err.field === 'token') return dead();
        throw err;
      }
      form.el.hidden = true;
      mount(done, h('p', { class: 'notice', role: 'status' }, t('invite.done')), h('a', { class: 'btn primary', href: signIn }, t('setup.toSignIn')));
    },
  });
  document.title = `${t('invite.title')} · armario`;
  const page = plainPage(h('h1', { tabindex: '-1' }, t('invite.title')), h('p', { class: 'muted' }, t('invite.intro')), form.el, done);
  if (!token) dead();
  mount(root, page);
}
