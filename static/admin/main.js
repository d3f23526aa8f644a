// The owner's dashboard: sign-in, then a hash-routed app. Each screen is its own module, loaded
// when first opened.
import { onEnrollmentRequired, onUnauthorized, api } from '../shared/api.js';
import { currentSession, signInPage, signOut } from '../shared/auth.js';
import { h, mount } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { createRouter, navigate, parseHash } from '../shared/router.js';
import { createShell, plainPage } from '../shared/shell.js';
import { errorState, loadingState, notFoundPage } from '../shared/ui.js';

const root = document.getElementById('app');

const ROUTES = [
  { path: '/', nav: 'overview', load: () => import('./overview.js') },
  { path: '/companies', nav: 'companies', load: () => import('./companies.js') },
  { path: '/companies/new', nav: 'companies', load: () => import('./company-new.js') },
  { path: '/companies/:id', nav: 'companies', load: () => import('./company.js') },
  { path: '/approvals', nav: 'approvals', load: () => import('./approvals.js') },
  { path: '/applications', nav: 'applications', load: () => import('./applications.js') },
  { path: '/applications/:id', nav: 'applications', load: () => import('./application.js') },
  { path: '/plans', nav: 'plans', load: () => import('./plans.js') },
  { path: '/privacy', nav: 'privacy', load: () => import('./privacy.js') },
  { path: '/reports', nav: 'reports', load: () => import('./reports.js') },
  { path: '/retention', nav: 'retention', load: () => import('./retention.js') },
  { path: '/plans/:id', nav: 'plans', load: () => import('./plans.js') },
  { path: '/links', nav: 'links', load: () => import('./links.js') },
  { path: '/usage', nav: 'usage', load: () => import('./usage.js') },
  { path: '/audit', nav: 'audit', load: () => import('./audit.js') },
  { path: '/backups', nav: 'backups', load: () => import('./backups.js') },
  { path: '/sessions', nav: 'sessions', load: () => import('./sessions.js') },
  { path: '/alerts', nav: 'alerts', load: () => import('./alerts.js') },
  { path: '/account', nav: null, load: () => import('../shared/account.js') },
];

const NAV = ['overview', 'companies', 'approvals', 'plans', 'privacy', 'applications', 'links', 'usage', 'audit', 'reports', 'retention', 'sessions', 'backups', 'alerts'];
const NAV_HREF = { overview: '#/' };

let router = null;

async function showSignIn(notice) {
  if (location.hash === '#/forgot') {
    const { forgotPage } = await import('../shared/reset.js');
    mount(root, forgotPage('#/'));
    return;
  }
  let setupNeeded = false;
  try {
    setupNeeded = Boolean((await api.get('/setup')).needed);
  } catch {
    // An older server without the endpoint: offer the sign-in form anyway.
  }
  mount(
    root,
    signInPage({
      title: t('admin.signInTitle'),
      subtitle: t('admin.signInSubtitle'),
      notice: setupNeeded ? t('admin.setupNeeded') : notice,
      footer: h('p', { class: 'plain-foot muted' }, t('admin.companyHint'), ' ', h('a', { href: '../portal/' }, t('admin.toPortal'))),
      onSignedIn: () => boot(),
    }),
  );
  document.querySelector('h1').focus();
}

function notOwnerPage(session) {
  return plainPage(
    h('h1', { tabindex: '-1' }, t('admin.notOwnerTitle')),
    h('p', {}, t('admin.notOwnerText', { email: session.user.email })),
    h(
      'div',
      { class: 'row' },
      h('a', { class: 'btn primary', href: '../portal/' }, t('admin.toPortal')),
      h('button', { type: 'button', class: 'btn', onclick: async () => { await signOut(); boot(); } }, t('shell.signOut')),
    ),
  );
}

function startApp(session) {
  const shell = createShell({
    brand: { name: t('admin.brand') },
    areaLabel: t('admin.nav'),
    nav: NAV.map((id) => ({ id, label: t(`nav.${id}`), href: NAV_HREF[id] || `#/${id}` })),
    user: session.user,
    accountHref: '#/account',
    async onSignOut() {
      await signOut();
      location.hash = '#/';
      boot(t('auth.signedOut'));
    },
  });
  mount(root, shell.el);
  const setTitle = (title) => (document.title = `${title} · armario`);
  // The session ended under the screen (a password change ends them all): back to sign-in.
  const signedOut = (notice) => {
    history.replaceState(null, '', '#/');
    boot(notice);
  };
  router = createRouter(ROUTES, {
    onRoute({ route, params, query }) {
      shell.setActive(route.nav);
      if (!route.load) {
        setTitle(t('notFound.title'));
        shell.show(notFoundPage('#/'));
        return;
      }
      shell.open(route.load, { params, query, session, shell, setTitle, signedOut });
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
    showSignIn(notice);
    return;
  }
  if (!session.user || session.user.role !== 'owner') {
    mount(root, notOwnerPage(session));
    return;
  }
  startApp(session);
}

if (/\/setup\/?$/.test(location.pathname)) {
  import('./setup.js');
} else if (/\/link\/?$/.test(location.pathname)) {
  import('./link.js');
} else if (/\/reset\/?$/.test(location.pathname)) {
  import('../shared/reset.js').then((m) => m.resetPage(root, '/admin/'));
} else if (/\/email\/?$/.test(location.pathname)) {
  import('../shared/email.js').then((m) => m.confirmPage(root, '/admin/'));
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
