// Sign-in and sign-out, shared by the admin dashboard and the portal.
import { api, readCookie } from './api.js';
import { h } from './dom.js';
import { createForm } from './form.js';
import { t } from './i18n.js';
import { secondStepPage } from './mfa-signin.js';
import { plainPage } from './shell.js';

/**
 * The signed-in user and company, or null when nobody is signed in. Sign-in sets the readable
 * CSRF cookie beside the HttpOnly session cookie, with the same lifetime, and sign-out clears
 * both: without it there is no session to ask about, so a signed-out page makes no request that
 * the browser would log as a failed 401. With it, /auth/me says whether the session still holds.
 */
export async function currentSession() {
  if (!readCookie('armario_csrf')) return null;
  try {
    return await api.get('/auth/me', undefined, { quiet401: true });
  } catch (err) {
    if (err.status === 401) return null;
    throw err;
  }
}

/**
 * signInPage({title, subtitle, footer, magicLink, onSignedIn(loginResponse)}) → page element.
 * A wrong password keeps the e-mail and tells the user without saying which part was wrong.
 * With `magicLink`, the page also offers a sign-in link by e-mail (#/magic-link).
 * An account with two-factor sign-in gets the code step in place of the page; an expired
 * challenge brings the password step back with a notice.
 */
export function signInPage(opts) {
  const { title, subtitle, footer, notice, magicLink = false, onSignedIn } = opts;
  const forgot = h(
    'p',
    { class: 'plain-foot muted' },
    h('a', { href: '#/forgot' }, t('reset.forgotLink')),
    magicLink ? [' · ', h('a', { href: '#/magic-link' }, t('magic.askLink'))] : null,
  );
  const form = createForm({
    fields: [
      { name: 'email', label: t('auth.email'), type: 'email', required: true, autocomplete: 'username', maxLength: 254 },
      { name: 'password', label: t('auth.password'), type: 'password', required: true, autocomplete: 'current-password', trim: false },
    ],
    submitLabel: t('auth.signIn'),
    async onSubmit(values) {
      try {
        const res = await api.post('/auth/login', values, { quiet401: true });
        if (res && res.mfa_required) {
          const step = secondStepPage({
            challenge: res.challenge,
            title,
            onSignedIn,
            onExpired: (message) => step.replaceWith(signInPage({ ...opts, notice: message })),
          });
          page.replaceWith(step);
          return;
        }
        await onSignedIn(res);
      } catch (err) {
        if (err.status === 401) {
          const e = new Error(t('auth.badCredentials'));
          throw e;
        }
        throw err;
      }
    },
  });
  document.title = `${title} · armario`;
  const page = plainPage(
    h('h1', { tabindex: '-1' }, title),
    subtitle ? h('p', { class: 'muted' }, subtitle) : null,
    notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
    form.el,
    forgot,
    footer || null,
  );
  return page;
}

export async function signOut() {
  try {
    await api.post('/auth/logout', undefined, { quiet401: true });
  } catch {
    // Already signed out or the session expired: the result is the same.
  }
}
