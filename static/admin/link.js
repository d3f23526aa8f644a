// One-time sign-in link printed by `armario admin login-link` (…/admin/link#token=…). The
// token stays in the fragment, so it never reaches a server log; it is sent once to
// /auth/login-link, which sets the session cookie. Owners land on the dashboard, everyone else
// on the portal.
import { api } from '../shared/api.js';
import { h, mount } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { plainPage } from '../shared/shell.js';
import { loadingState } from '../shared/ui.js';

const root = document.getElementById('app');

async function render() {
  document.title = `armario · ${t('link.title')}`;
  const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') || '';
  const body = h('div', {}, loadingState());
  mount(root, plainPage(h('h1', { tabindex: '-1' }, t('link.title')), body));
  // Drop the token from the address bar and history before anything else.
  history.replaceState(null, '', location.pathname);
  try {
    if (!token) throw new Error('no token');
    const out = await api.post('/auth/login-link', { token }, { quiet401: true });
    location.replace(out.user && out.user.role === 'owner' ? '/admin/#/' : '/portal/#/');
  } catch (err) {
    mount(body, h('p', { class: 'form-error', role: 'alert' }, t('link.invalid')), h('a', { class: 'btn primary', href: '/admin/' }, t('setup.toSignIn')));
  }
}

render();
