// A person's e-mail address. The page a sign-up's verification link opens
// (…/portal/verify#token=…), the page the link sent to a new address opens
// (…/portal/email#token=… or …/admin/email#token=…), and the form that asks for a change.
// Tokens stay in the fragment, so they never reach a server log, and leave the address bar at once.
import { api } from './api.js';
import { h, mount } from './dom.js';
import { createForm } from './form.js';
import { t } from './i18n.js';
import { plainPage } from './shell.js';

function takeToken() {
  const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') || '';
  history.replaceState(null, '', location.pathname);
  return token;
}

const said = (text, ok, signIn) =>
  [h('p', ok ? { class: 'notice', role: 'status' } : { class: 'form-error', role: 'alert' }, text), h('a', { class: 'btn primary', href: signIn }, t('setup.toSignIn'))];

/** Verifies the address of a sign-up's link at once, mounted on `root`. */
export async function verifyPage(root, signIn) {
  const token = takeToken();
  const done = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, t('email.verifying')));
  document.title = `${t('email.verifyTitle')} · armario`;
  mount(root, plainPage(h('h1', { tabindex: '-1' }, t('email.verifyTitle')), done));
  try {
    if (!token) throw Object.assign(new Error('no token'), { field: 'token' });
    await api.post('/auth/email/verify', { token });
    mount(done, ...said(t('email.verified'), true, signIn));
  } catch (err) {
    mount(done, ...said(err.field === 'token' ? t('email.invalid') : err.message, false, signIn));
  }
}

/** The page of the link sent to a new address: one button moves the account to it. */
export function confirmPage(root, signIn) {
  const token = takeToken();
  const done = h('div', { 'aria-live': 'polite' });
  const button = h('button', { class: 'btn primary', type: 'button' }, t('email.confirmButton'));
  const intro = h('p', { class: 'muted' }, t('email.confirmIntro'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const user = await api.post('/auth/email/confirm', { token });
      intro.hidden = true;
      button.hidden = true;
      mount(done, ...said(t('email.changed', { email: user.email }), true, signIn));
    } catch (err) {
      intro.hidden = true;
      button.hidden = true;
      mount(done, ...said(err.field === 'token' ? t('email.invalid') : err.message, false, signIn));
    }
  });
  document.title = `${t('email.confirmTitle')} · armario`;
  mount(root, plainPage(h('h1', { tabindex: '-1' }, t('email.confirmTitle')), intro, button, done));
  if (!token) {
    intro.hidden = true;
    button.hidden = true;
    mount(done, ...said(t('email.invalid'), false, signIn));
  }
}

/** The form that asks to move the signed-in account to a new address. */
export function changeEmailForm(currentEmail) {
  const done = h('div', { 'aria-live': 'polite' });
  const form = createForm({
    fields: [
      { name: 'new_email', label: t('email.newEmail'), type: 'email', required: true, autocomplete: 'email', maxLength: 254, hint: t('email.current', { email: currentEmail }) },
      { name: 'password', label: t('email.password'), type: 'password', required: true, trim: false, maxLength: 256, autocomplete: 'current-password' },
    ],
    submitLabel: t('email.send'),
    async onSubmit(v) {
      await api.post('/auth/email', { new_email: v.new_email, password: v.password });
      form.el.reset();
      mount(done, h('p', { class: 'notice', role: 'status' }, t('email.sent', { email: v.new_email })));
    },
  });
  return h('div', {}, form.el, done);
}
