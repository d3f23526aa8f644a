// The page frame: a top bar (brand, language, user, sign out), a sidebar that collapses into a
// drawer on phones, and the main region screens render into.
import { h, mount } from './dom.js';
import { errorState, loadingState } from './ui.js';
import { LANGS, lang, setLang, t } from './i18n.js';

const LOGO = new URL('./logo.svg', import.meta.url).href;

export function languageSelect() {
  const id = 'lang-select';
  const select = h('select', { id, class: 'lang' }, LANGS.map((l) => h('option', { value: l.code, selected: l.code === lang(), title: l.name, lang: l.code }, l.label)));
  select.addEventListener('change', () => setLang(select.value));
  return h('div', { class: 'lang-switch' }, h('label', { for: id, class: 'sr-only' }, t('shell.language')), select);
}

function brandMark(brand) {
  if (brand.logo) return h('img', { class: 'brand-logo', src: brand.logo, alt: '' });
  return h('img', { class: 'brand-logo', src: LOGO, alt: '' });
}

/** The signed-in person's name, a link to "My account". */
function userLink(user, accountHref) {
  if (!user) return null;
  const name = user.name || user.email;
  if (!accountHref) return h('span', { class: 'user-name', title: user.email }, name);
  return h('a', { class: 'user-name account-link', href: accountHref, title: `${t('account.link')} · ${user.email}` }, name);
}

/**
 * createShell({brand: {name, logo}, nav: [{id, label, href}], user, accountHref, onSignOut})
 * → {el, main, setActive(id)}. The user's name links to their account page (`accountHref`).
 */
export function createShell({ brand, nav, user, accountHref, onSignOut, areaLabel }) {
  const sidebarId = 'sidebar';
  const menu = h('button', { type: 'button', class: 'btn icon menu-btn', 'aria-controls': sidebarId, 'aria-expanded': 'false' }, h('span', { class: 'burger', 'aria-hidden': 'true' }), h('span', { class: 'sr-only' }, t('shell.menu')));
  const links = nav.map((item) => h('a', { href: item.href, class: 'nav-link', dataset: { nav: item.id } }, item.label));
  const sidebar = h('nav', { id: sidebarId, class: 'sidebar', 'aria-label': areaLabel || t('shell.navigation') }, links);
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const signOut = h('button', { type: 'button', class: 'btn subtle' }, t('shell.signOut'));
  signOut.addEventListener('click', onSignOut);
  const scrim = h('div', { class: 'scrim', 'aria-hidden': 'true' });
  const el = h(
    'div',
    { class: 'app' },
    h('a', { class: 'skip', href: '#main' }, t('shell.skip')),
    h(
      'header',
      { class: 'topbar' },
      menu,
      h('a', { class: 'brand', href: '#/' }, brandMark(brand), h('span', { class: 'brand-name' }, brand.name)),
      h('div', { class: 'topbar-end' }, languageSelect(), userLink(user, accountHref), signOut),
    ),
    sidebar,
    scrim,
    main,
  );

  const setOpen = (open) => {
    el.classList.toggle('nav-open', open);
    menu.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (open) (sidebar.querySelector('.active') || links[0]).focus();
  };
  menu.addEventListener('click', () => setOpen(!el.classList.contains('nav-open')));
  scrim.addEventListener('click', () => setOpen(false));
  sidebar.addEventListener('click', (e) => {
    if (e.target.closest('a')) setOpen(false);
  });
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && el.classList.contains('nav-open')) {
      setOpen(false);
      menu.focus();
    }
  });
  // The skip link must not change the hash (the router owns it).
  el.querySelector('.skip').addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });

  let seq = 0;
  const show = (...nodes) => {
    mount(main, ...nodes);
    const heading = main.querySelector('h1');
    if (heading) heading.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  };
  return {
    el,
    main,
    setActive(id) {
      for (const a of links) {
        const on = a.dataset.nav === id;
        a.classList.toggle('active', on);
        if (on) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
    },
    /** Renders a screen and moves focus to its heading, as a page load would. */
    show,
    /**
     * Loads a screen module (`load()` → {render(ctx)}) and shows what it renders; a later call
     * wins over a slower earlier one.
     */
    async open(load, ctx) {
      const mine = ++seq;
      mount(main, loadingState());
      try {
        const mod = await load();
        if (mine === seq) show(mod.render(ctx));
      } catch (err) {
        if (mine === seq) show(errorState(err, () => this.open(load, ctx)));
      }
    },
  };
}

/** A centred card page for sign-in, sign-up, setup and notices. */
export function plainPage(...children) {
  return h(
    'div',
    { class: 'plain' },
    h('div', { class: 'plain-top' }, h('span', { class: 'brand' }, h('img', { class: 'brand-logo', src: LOGO, alt: '' }), h('span', { class: 'brand-name' }, 'armario')), languageSelect()),
    h('main', { id: 'main', class: 'plain-card', tabindex: '-1' }, children),
  );
}
