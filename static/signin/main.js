// The hosted sign-in page of the OpenID provider: an application sent the user here with an
// authorization request; once signed in (password, second factor), the user goes back to the
// application with a code. The page wears the company's name and colour when the request named
// the company.
import { readCookie } from '/static/shared/api.js';
import { currentSession, signInPage, signOut } from '/static/shared/auth.js';
import { applyBrandColor } from '/static/shared/branding.js';
import { h, mount } from '/static/shared/dom.js';
import { t } from '/static/shared/i18n.js';
import { plainPage } from '/static/shared/shell.js';

const root = document.getElementById('app');
const requestId = new URLSearchParams(location.hash.slice(1)).get('request') || '';

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    const csrf = readCookie('armario_csrf');
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  return { status: res.status, data };
}

const base = `/oauth2/requests/${encodeURIComponent(requestId)}`;

function show(...children) {
  mount(root, plainPage(...children));
  const heading = root.querySelector('h1');
  if (heading) heading.focus();
}

function expired() {
  document.title = 'armario';
  show(h('h1', { tabindex: '-1' }, t('oidc.expired')));
}

function button(label, onClick, primary = true) {
  return h('button', { type: 'button', class: primary ? 'btn primary' : 'btn', onclick: onClick }, label);
}

async function deny() {
  const { status, data } = await call('POST', `${base}/deny`);
  if (status === 200 && data && data.redirect_to) location.assign(data.redirect_to);
  else expired();
}

async function finish(info, consent = false) {
  const { status, data } = await call('POST', `${base}/complete`, { consent });
  if (status === 200 && data && data.redirect_to) {
    location.assign(data.redirect_to);
    return;
  }
  if (status === 409 && data && data.code === 'consent_required') {
    show(
      h('h1', { tabindex: '-1' }, t('oidc.consentTitle', { app: info.application.name })),
      h('p', null, t('oidc.consentIntro')),
      h('ul', null, data.scopes.map((s) => h('li', null, t(`oidc.scope.${s}`)))),
      h('div', { class: 'actions' }, button(t('oidc.allow'), () => finish(info, true)), ' ', button(t('oidc.deny'), deny, false)),
    );
    return;
  }
  if (status === 404) {
    expired();
    return;
  }
  show(
    h('h1', { tabindex: '-1' }, t('oidc.refused')),
    h('p', { role: 'alert' }, (data && data.message) || `HTTP ${status}`),
    h('div', { class: 'actions' }, button(t('oidc.back'), deny), ' ', button(t('oidc.otherAccount'), async () => { await signOut(); render(info); }, false)),
  );
}

function signInStep(info) {
  const title = t('oidc.title', { app: info.application.name });
  const logo = info.company && info.company.logo_url;
  const subtitle = info.company ? t('oidc.subtitle', { company: info.company.name }) : t('oidc.subtitlePlain');
  const page = signInPage({
    title,
    subtitle,
    magicLink: Boolean(info.company && info.company.magic_link_sign_in),
    onSignedIn: () => finish(info),
  });
  // Password reset and sign-in links live in the portal: open them beside this page, and
  // pick the session up when the user comes back.
  for (const a of page.querySelectorAll('a[href^="#/"]')) {
    a.setAttribute('href', `/portal/${a.getAttribute('href')}`);
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'noopener');
  }
  page.querySelector('main').append(h('p', { class: 'muted' }, t('oidc.helpOtherTab')));
  if (logo) page.querySelector('main').prepend(h('img', { class: 'signin-logo', src: logo, alt: info.company.name, width: 160, height: 64 }));
  const email = page.querySelector('input[name="email"]');
  if (email && info.login_hint && !email.value) email.value = info.login_hint;
  mount(root, page);
}

async function render(info) {
  const session = info.prompt_login ? null : await currentSession();
  if (!session) {
    signInStep(info);
    return;
  }
  const user = session.user || session;
  show(
    h('h1', { tabindex: '-1' }, t('oidc.title', { app: info.application.name })),
    h('p', null, t('oidc.signedInAs', { email: user.email })),
    h(
      'div',
      { class: 'actions' },
      button(t('oidc.continueAs', { name: user.name }), () => finish(info)),
      ' ',
      button(t('oidc.otherAccount'), async () => { await signOut(); signInStep(info); }, false),
    ),
  );
}

async function start() {
  if (!requestId) {
    expired();
    return;
  }
  const { status, data } = await call('GET', base);
  if (status !== 200 || !data) {
    expired();
    return;
  }
  if (data.company) applyBrandColor(data.company.primary_color);
  await render(data);
  // Back from resetting a password or a sign-in link in another tab: go on signed in.
  document.addEventListener('visibilitychange', async () => {
    if (document.visibilityState !== 'visible' || !root.querySelector('input[name="password"]')) return;
    if (await currentSession()) render({ ...data, prompt_login: false });
  });
  window.addEventListener('langchange', () => render(data));
}

start();
