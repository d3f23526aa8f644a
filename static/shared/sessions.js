// Sessions people can see and end: one's own (on the account page) and a user's (for a company
// admin or the owner, from the users list). A session shows when it started and was last used,
// its address and its browser; the session making the request is "this device".
import { api } from './api.js';
import { actionButton } from './dialog.js';
import { h } from './dom.js';
import { formatDateTime } from './format.js';
import { t } from './i18n.js';
import { pagedTable } from './list.js';
import { card, notify } from './ui.js';

/** "Chrome 131 on Linux", from what the server read in the user agent. */
export function browserName(s) {
  if (!s.browser) return t('sessions.unknownBrowser');
  return s.os ? t('sessions.browserOn', { browser: s.browser, os: s.os }) : s.browser;
}

function browserCell(s) {
  return h(
    'div',
    { class: 'session-browser' },
    h('strong', {}, browserName(s)),
    s.current ? [' ', h('span', { class: 'badge st-active this-device' }, t('sessions.thisDevice'))] : null,
    s.user_agent ? h('div', { class: 'muted small user-agent', title: s.user_agent }, s.user_agent) : null,
  );
}

/**
 * The table of sessions from `load(cursor)`; `endPath(s)` ends one (none for this device);
 * `who` adds a first column naming the person (the owner's list of everyone's sessions).
 */
export function sessionsTable({ load, endPath, refresh, caption = t('sessions.mineTitle'), who = null }) {
  const list = pagedTable({
    caption,
    empty: t('sessions.empty'),
    load,
    columns: [
      ...(who ? [{ label: t('sessions.person'), render: who }] : []),
      { label: t('sessions.browser'), render: browserCell },
      { label: t('sessions.created'), render: (s) => formatDateTime(s.created_at) },
      { label: t('sessions.lastSeen'), render: (s) => formatDateTime(s.last_seen_at) },
      { label: t('sessions.ip'), render: (s) => s.ip || '—' },
      {
        label: t('list.actions'),
        className: 'actions',
        render: (s) =>
          s.current
            ? null
            : actionButton(t('sessions.end'), {
                danger: true,
                confirm: { title: t('sessions.endTitle'), message: t('sessions.endText'), confirmLabel: t('sessions.end') },
                run: () => api.del(endPath(s)),
                done: t('sessions.ended'),
                after: () => refresh(),
              }),
      },
    ],
  });
  return list;
}

/** The signed-in person's own sessions, with "end all other sessions". */
export function mySessionsCard() {
  const list = sessionsTable({
    load: (cursor) => api.get('/auth/sessions', { cursor, limit: 50 }),
    endPath: (s) => `/auth/sessions/${encodeURIComponent(s.id)}`,
    refresh: () => list.reload(),
  });
  let ended = 0;
  const endOthers = actionButton(t('sessions.endOthers'), {
    danger: true,
    small: false,
    confirm: { title: t('sessions.endOthersTitle'), message: t('sessions.endOthersText'), confirmLabel: t('sessions.endOthers') },
    run: async () => {
      const r = await api.del('/auth/other-sessions');
      ended = (r && r.ended) || 0;
    },
    after: () => {
      notify(t('sessions.endedOthers', { count: ended }));
      list.reload();
    },
  });
  return h(
    'section',
    { class: 'card my-sessions', 'aria-labelledby': 'my-sessions-title' },
    h('div', { class: 'spread' }, h('h2', { id: 'my-sessions-title' }, t('sessions.mineTitle')), endOthers),
    h('p', { class: 'muted' }, t('sessions.mineIntro')),
    list.el,
  );
}

/** One user's sessions, for a company admin or the owner: end one, or end them all. */
export function userSessionsCard({ companyId, user }) {
  const base = `/companies/${encodeURIComponent(companyId)}`;
  const name = user.name || user.email;
  const list = sessionsTable({
    load: (cursor) => api.get(`${base}/sessions`, { user_id: user.id, cursor, limit: 50 }),
    endPath: (s) => `${base}/sessions/${encodeURIComponent(s.id)}`,
    refresh: () => list.reload(),
  });
  let ended = 0;
  const endAll = actionButton(t('sessions.endAll'), {
    danger: true,
    confirm: { title: t('sessions.endAllTitle', { name }), message: t('sessions.endAllText'), confirmLabel: t('sessions.endAll') },
    run: async () => {
      const r = await api.del(`${base}/users/${encodeURIComponent(user.id)}/sessions`);
      ended = (r && r.ended) || 0;
    },
    after: () => {
      notify(t('sessions.endedAll', { count: ended }));
      list.reload();
    },
  });
  return card(null, h('div', { class: 'spread' }, h('h2', { tabindex: '-1' }, t('sessions.userTitle', { name })), endAll), list.el);
}
