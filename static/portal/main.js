// The companies' self-service portal: sign-in and sign-up, then a hash-routed app for the signed-in
// user's company. Every company screen carries the company id in its URL and loads the company
// through the API, so another company's id shows "not found" (the API answers 404).
import { onEnrollmentRequired, onUnauthorized } from '../shared/api.js';
import { currentSession, signInPage, signOut } from '../shared/auth.js';
import { applyBrandColor } from '../shared/branding.js';
import { companyName } from '../shared/company.js';
import { h, mount } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { createRouter, navigate, parseHash } from '../shared/router.js';
import { createShell, plainPage } from '../shared/shell.js';
import { errorState, loadingState, notFoundPage } from '../shared/ui.js';

const root = document.getElementById('app');
const SECTIONS = [
  { id: 'company', path: '', load: () => import('./company.js') },
  { id: 'users', path: '/users', load: () => import('./users.js') },
  { id: 'secrets', path: '/secrets', admin: true, load: () => import('./secrets.js') },
  // The API lets only company admins read the company's links and usage: members don't get
  // these screens (nor a red "forbidden" with a retry that can never work).
  { id: 'applications', path: '/applications', admin: true, load: () => import('./applications.js') },
  { id: 'config', path: '/config', admin: true, load: () => import('./config.js') },
  { id: 'usage', path: '/usage', admin: true, load: () => import('./usage.js') },
  { id: 'audit', path: '/audit', admin: true, load: () => import('./audit.js') },
  { id: 'privacy', path: '/privacy', load: () => import('./privacy.js') },
];

let router = null;

function publicPages(notice) {
  const { path } = parseHash();
  if (path === '/signup') {
    import('./signup.js').then((m) => mount(root, m.signupPage()));
    return;
  }
  if (path === '/signup/done') {
    import('./signup.js').then((m) => mount(root, m.waitingPage()));
    return;
  }
  if (path === '/forgot') {
    import('../shared/reset.js').then((m) => mount(root, m.forgotPage('#/')));
    return;
  }
  if (path === '/magic-link') {
    import('../shared/magic.js').then((m) => mount(root, m.askPage('#/')));
    return;
  }
  mount(
    root,
    signInPage({
      title: t('portal.signInTitle'),
      subtitle: t('portal.signInSubtitle'),
      notice,
      magicLink: true,
      footer: h('p', { class: 'plain-foot muted' }, t('portal.noAccount'), ' ', h('a', { href: '#/signup' }, t('portal.signUpLink'))),
      onSignedIn: () => boot(),
    }),
  );
}

function noticePage(title, text, session) {
  return plainPage(
    h('h1', { tabindex: '-1' }, title),
    h('p', {}, text),
    h('div', { class: 'row' }, session && session.user.role === 'owner' ? h('a', { class: 'btn primary', href: '../admin/' }, t('portal.toAdmin')) : null, h('button', { type: 'button', class: 'btn', onclick: async () => { await signOut(); boot(); } }, t('shell.signOut'))),
  );
}

/** What a member sees at the address of a screen only company admins have. */
function adminOnlyPage(home) {
  return h(
    'div',
    { class: 'not-found' },
    h('h1', { tabindex: '-1' }, t('portal.adminOnlyTitle')),
    h('p', {}, t('portal.adminOnlyText')),
    h('a', { class: 'btn primary', href: home }, t('notFound.home')),
  );
}

export function companyBase(id) {
  return `/companies/${encodeURIComponent(id)}`;
}

function startApp(session) {
  const company = session.company;
  const isAdmin = session.user.role === 'company_admin';
  applyBrandColor(company.primary_color);
  const sections = SECTIONS.filter((s) => isAdmin || !s.admin);
  const shell = createShell({
    brand: { name: companyName(company), logo: company.logo_url },
    areaLabel: t('portal.nav'),
    nav: sections.map((s) => ({ id: s.id, label: t(`portalNav.${s.id}`), href: `#${companyBase(company.id)}${s.path}` })),
    user: session.user,
    accountHref: '#/account',
    async onSignOut() {
      await signOut();
      applyBrandColor(null);
      history.replaceState(null, '', '#/');
      boot(t('auth.signedOut'));
    },
  });
  mount(root, shell.el);
  const adminOnly = SECTIONS.filter((s) => !isAdmin && s.admin).map((s) => ({ path: `/companies/:id${s.path}`, adminOnly: true }));
  const account = { path: '/account', load: () => import('../shared/account.js') };
  const routes = [{ path: '/', redirect: true }, account, ...sections.map((s) => ({ ...s, path: `/companies/:id${s.path}`, nav: s.id })), ...adminOnly];
  const home = `#${companyBase(company.id)}`;
  const setTitle = (title) => (document.title = `${title} · ${companyName(company)}`);
  // The session ended under the screen (a password change ends them all): back to sign-in.
  const signedOut = (notice) => {
    applyBrandColor(null);
    history.replaceState(null, '', '#/');
    boot(notice);
  };
  router = createRouter(routes, {
    onRoute({ route, params, query }) {
      if (route.redirect) {
        navigate(companyBase(company.id), undefined, { replace: true });
        return;
      }
      shell.setActive(route.nav || null);
      if (route.adminOnly) {
        setTitle(t('portal.adminOnlyTitle'));
        shell.show(adminOnlyPage(home));
        return;
      }
      if (!route.load) {
        setTitle(t('notFound.title'));
        shell.show(notFoundPage(home));
        return;
      }
      shell.open(route.load, { params, query, session, isAdmin, shell, home, setTitle, signedOut });
    },
  });
  router.resolve();
}

async function boot(notice) {
  if (router) router.stop();
  router = null;
  mount(root, h('div', { class: 'plain' }, loadingState()));
  let session;
  try {
    session = await currentSession();
  } catch (err) {
    mount(root, plainPage(errorState(err, () => boot())));
    return;
  }
  if (!session) {
    publicPages(notice);
    return;
  }
  if (!session.company) {
    mount(root, noticePage(t('portal.noCompanyTitle'), t('portal.noCompanyText'), session));
    return;
  }
  if (session.company.status !== 'active') {
    const st = session.company.status;
    mount(root, noticePage(t(`portal.status.${st}.title`), t(`portal.status.${st}.text`), session));
    return;
  }
  startApp(session);
}

if (/\/reset\/?$/.test(location.pathname)) {
  import('../shared/reset.js').then((m) => m.resetPage(root, '/portal/'));
} else if (/\/magic\/?$/.test(location.pathname)) {
  import('../shared/magic.js').then((m) => m.magicPage(root, '/portal/'));
} else if (/\/invite\/?$/.test(location.pathname)) {
  import('../shared/invite.js').then((m) => m.invitePage(root, '/portal/'));
} else if (/\/verify\/?$/.test(location.pathname)) {
  import('../shared/email.js').then((m) => m.verifyPage(root, '/portal/'));
} else if (/\/email\/?$/.test(location.pathname)) {
  import('../shared/email.js').then((m) => m.confirmPage(root, '/portal/'));
} else {
  onUnauthorized(() => boot(t('auth.sessionExpired')));
  // A policy wants a second factor first: the account page says why and sets it up.
  onEnrollmentRequired(() => {
    if (router && parseHash().path !== '/account') navigate('/account', { mfa: 'required' }, { replace: true });
  });
  window.addEventListener('langchange', () => boot());
  window.addEventListener('hashchange', () => {
    if (!router) boot();
  });
  boot();
}
