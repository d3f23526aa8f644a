// Small building blocks shared by every screen: page headers, status badges, the
// loading / empty / error states of lists, notices, copy buttons and tabs.
import { h, mount } from './dom.js';
import { t, tOr } from './i18n.js';

/** A message a person can act on, for any error thrown by api.js or elsewhere. */
export function errorMessage(err) {
  if (!err) return t('error.generic');
  if (err.status === 0) return t('error.network');
  // A bare "not found" is a route the server does not have (yet); other 404s say what is missing.
  if (err.status === 404 && (!err.message || /^(HTTP 404|not found)$/i.test(err.message))) return t('error.notFoundShort');
  if (err.status >= 500) return err.errorId ? t('error.internalId', { id: err.errorId }) : t('error.internal');
  if (err.code === 'csrf') return t('error.csrf');
  return err.message || t('error.generic');
}

export function pageHeader(title, { subtitle, actions, back } = {}) {
  return h(
    'header',
    { class: 'page-head' },
    h(
      'div',
      { class: 'page-title' },
      back ? h('a', { class: 'back', href: back.href }, '← ', back.label) : null,
      h('h1', { tabindex: '-1' }, title),
      subtitle ? h('p', { class: 'muted' }, subtitle) : null,
    ),
    actions ? h('div', { class: 'page-actions' }, actions) : null,
  );
}

/** A status pill; `kind` picks wording that agrees with the noun (pt-BR: usuário ativo). */
export function badge(status, kind) {
  const label = (kind && tOr(`${kind}Status.${status}`, '')) || tOr(`status.${status}`, status || '—');
  return h('span', { class: ['badge', `st-${status}`] }, label);
}

export function loadingState(text) {
  return h('div', { class: 'state state-loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text || t('state.loading'));
}

export function emptyState(text, action) {
  return h('div', { class: 'state state-empty' }, h('p', {}, text || t('state.empty')), action || null);
}

export function errorState(err, retry) {
  return h(
    'div',
    { class: 'state state-error', role: 'alert' },
    h('p', {}, errorMessage(err)),
    retry ? h('button', { type: 'button', class: 'btn', onclick: retry }, t('action.retry')) : null,
  );
}

/**
 * Loads into `container`: loading state, then render(data) or an error state with retry.
 * Returns a function that loads again.
 */
export function loadInto(container, load, render) {
  let seq = 0;
  async function run() {
    const mine = ++seq;
    mount(container, loadingState());
    container.setAttribute('aria-busy', 'true');
    try {
      const data = await load();
      if (mine !== seq) return;
      mount(container, render(data, run));
    } catch (err) {
      if (mine !== seq) return;
      mount(container, errorState(err, run));
    } finally {
      if (mine === seq) container.setAttribute('aria-busy', 'false');
    }
  }
  run();
  return run;
}

let live = null;
/** A short notice at the bottom of the screen, read out by screen readers. */
export function notify(message, kind = 'ok') {
  if (!live) {
    live = h('div', { class: 'toasts', 'aria-live': 'polite', role: 'status' });
    document.body.append(live);
  }
  const toast = h('div', { class: ['toast', `toast-${kind}`] }, message);
  live.append(toast);
  setTimeout(() => toast.remove(), 5000);
}

export function copyButton(getText, label, onCopied) {
  const btn = h('button', { type: 'button', class: 'btn' }, label || t('action.copy'));
  btn.addEventListener('click', async () => {
    const text = getText();
    try {
      await navigator.clipboard.writeText(text);
      btn.textContent = t('action.copied');
      if (onCopied) onCopied();
    } catch {
      btn.textContent = t('action.copyFailed');
    }
    setTimeout(() => {
      btn.textContent = label || t('action.copy');
    }, 2000);
  });
  return btn;
}

/**
 * Tabs as links (so each tab has its own URL): tabs([{id, label, href}], activeId).
 */
export function tabs(items, active) {
  return h(
    'nav',
    { class: 'tabs', 'aria-label': t('nav.sections') },
    items.map((it) => h('a', { href: it.href, class: ['tab', it.id === active && 'active'], 'aria-current': it.id === active ? 'page' : undefined }, it.label)),
  );
}

/** A card with an optional heading. */
export function card(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, children);
}

/** A term/definition list for read-only data. */
export function details(rows) {
  return h(
    'dl',
    { class: 'details' },
    rows.filter(Boolean).map(([term, value]) => [h('dt', {}, term), h('dd', {}, value === null || value === undefined || value === '' ? '—' : value)]),
  );
}

export function notFoundPage(homeHref) {
  return h(
    'div',
    { class: 'not-found' },
    h('h1', { tabindex: '-1' }, t('notFound.title')),
    h('p', {}, t('notFound.text')),
    h('a', { class: 'btn primary', href: homeHref || '#/' }, t('notFound.home')),
  );
}
