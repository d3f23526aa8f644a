// Magic-link sign-in in the portal: "e-mail me a sign-in link" asks for a link (#/magic-link on
// the sign-in page), and the link's page (/portal/magic#token=…) signs in. The link works only
// in the browser that asked for it (an HttpOnly cookie set by the request proves it), so the
// page that asks says so. The token stays in the fragment, so it never reaches a server log,
// and it is dropped from the address bar before anything else happens.
import { api } from './api.js';
import { h, mount } from './dom.js';
import { createForm } from './form.js';
import { t } from './i18n.js';
import { secondStepPage } from './mfa-signin.js';
import { plainPage } from './shell.js';

/** The page that asks for a sign-in link; `back` is the sign-in page's address. */
export function askPage(back) {
  const done = h('div');
  const form = createForm({
    fields: [{ name: 'email', label: t('auth.email'), type: 'email', required: true, autocomplete: 'username', maxLength: 254 }],
    submitLabel: t('magic.send'),
    actions: h('a', { class: 'btn', href: back }, t('reset.back')),
    async onSubmit(v) {
      await api.post('/auth/magic-link', { email: v.email });
      form.el.hidden = true;
      mount(done, h('p', { class: 'notice', role: 'status' }, t('magic.sent', { email: v.email })), h('a', { class: 'btn primary', href: back }, t('reset.back')));
    },
  });
  document.title = `${t('magic.askTitle')} · armario`;
  return plainPage(h('h1', { tabindex: '-1' }, t('magic.askTitle')), h('p', { class: 'muted' }, t('magic.askIntro')), form.el, done);
}

/** What a used, expired or foreign link shows. */
function refusedPage(signIn) {
  document.title = `${t('magic.refusedTitle')} · armario`;
  return plainPage(
    h('h1', { tabindex: '-1' }, t('magic.refusedTitle')),
    h('p', { class: 'form-error', role: 'alert' }, t('magic.refused')),
    h('p', { class: 'muted' }, t('magic.refusedHelp')),
    h('div', { class: 'row' }, h('a', { class: 'btn primary', href: `${signIn}#/magic-link` }, t('reset.askAgain')), h('a', { class: 'btn', href: signIn }, t('reset.back'))),
  );
}

/** The page a sign-in link opens, mounted on `root`; `signIn` is the portal's address. */
export async function magicPage(root, signIn) {
  const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') || '';
  history.replaceState(null, '', location.pathname);
  if (!token) {
    mount(root, refusedPage(signIn));
    return;
  }
  document.title = `${t('magic.signingIn')} · armario`;
  mount(root, plainPage(h('h1', { tabindex: '-1' }, t('magic.signingIn')), h('p', { class: 'muted', role: 'status' }, t('magic.wait'))));
  let res;
  try {
    res = await api.post('/auth/magic-link/redeem', { token });
  } catch (err) {
    if (err.field === 'token') {
      mount(root, refusedPage(signIn));
      return;
    }
    mount(root, plainPage(h('h1', { tabindex: '-1' }, t('magic.refusedTitle')), h('p', { class: 'form-error', role: 'alert' }, err.message), h('a', { class: 'btn primary', href: signIn }, t('reset.back'))));
    return;
  }
  if (res && res.mfa_required) {
    // The link was the first factor; the code is the second. An expired challenge cannot be
    // retried from here (the link is used up), so the page sends back to the sign-in form.
    const expired = (message) =>
      mount(root, plainPage(h('h1', { tabindex: '-1' }, t('mfa.stepTitle')), h('p', { class: 'form-error', role: 'alert' }, message), h('a', { class: 'btn primary', href: signIn }, t('reset.back'))));
    mount(root, secondStepPage({ challenge: res.challenge, title: t('magic.signingIn'), onSignedIn: () => location.replace(signIn), onExpired: expired }));
    return;
  }
  location.replace(signIn);
}

/** The company's magic-link switch: its state, and for those who may change it, a button. */
export function magicSwitch(company, { canChange, after }) {
  const on = Boolean(company.magic_link_sign_in);
  const state = h('p', {}, h('strong', {}, t(on ? 'magic.switchOn' : 'magic.switchOff')));
  if (!canChange) return h('div', { class: 'magic-switch' }, state, h('p', { class: 'muted' }, t('magic.switchHelp')));
  const btn = h('button', { type: 'button', class: ['btn', !on && 'primary'], 'data-magic-switch': on ? 'off' : 'on' }, t(on ? 'magic.turnOff' : 'magic.turnOn'));
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      await api.patch(`/companies/${encodeURIComponent(company.id)}`, { magic_link_sign_in: !on });
      after();
    } catch (err) {
      btn.disabled = false;
      mount(state, h('span', { class: 'form-error', role: 'alert' }, err.message));
    }
  });
  return h('div', { class: 'magic-switch' }, state, h('p', { class: 'muted' }, t('magic.switchHelp')), btn);
}
